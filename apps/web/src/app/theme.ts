import { createTheme, type CSSVariablesResolver } from '@mantine/core';

/** The one theme: dense defaults for the agent workspace. */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 6 (the default) gives white button labels and indigo links only about 4:1 contrast; 7 passes WCAG AA (4.5:1).
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    Button: { defaultProps: { size: 'sm' } },
  },
});

/** Mantine's dimmed gray (gray 6) is about 3.3:1 on white; gray 7 keeps hints and timestamps readable (WCAG AA). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({ variables: {}, light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' }, dark: {} });
