import { createTheme, PasswordInput } from '@mantine/core';
import { t } from '../i18n';

/** The one theme: dense defaults for the agent workspace. */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Contrast of at least 4.5:1 (WCAG AA) for text on filled colours: the darker shade, and black text on
  // fills whose luminance is above 0.18 (where white would fall below 4.5:1).
  primaryShade: 8,
  autoContrast: true,
  luminanceThreshold: 0.18,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    Button: { defaultProps: { size: 'sm' } },
    // The default "Toggle password visibility" would also match a search for the "Password" field's label.
    PasswordInput: PasswordInput.extend({ defaultProps: { visibilityToggleButtonProps: { 'aria-label': t.auth.showCharacters } } }),
  },
});

/** Dimmed text one shade darker than Mantine's default, which is below 4.5:1 on white. */
export const cssVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: {},
});
