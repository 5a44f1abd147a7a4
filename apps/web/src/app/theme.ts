import { createTheme } from '@mantine/core';

/** The one theme: dense defaults for the agent workspace. */
export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    Button: { defaultProps: { size: 'sm' } },
  },
});
