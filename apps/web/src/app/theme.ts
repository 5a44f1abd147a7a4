import { createTheme, PasswordInput } from '@mantine/core';
import { t } from '../i18n';

/** The one theme: dense defaults for the agent workspace. */
export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    Button: { defaultProps: { size: 'sm' } },
    // The default "Toggle password visibility" would also match a search for the "Password" field's label.
    PasswordInput: PasswordInput.extend({ defaultProps: { visibilityToggleButtonProps: { 'aria-label': t.auth.showCharacters } } }),
  },
});
