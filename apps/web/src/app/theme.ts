import { createTheme, defaultVariantColorsResolver, PasswordInput, type CSSVariablesResolver, type VariantColorsResolver } from '@mantine/core';
import { t } from '../i18n';

/** Light (tinted) badges and buttons: every shade of a color on its own tint stays under 4.5:1, so their text is the body text color (WCAG AA). */
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  if (input.variant === 'light') return { ...colors, color: 'var(--mantine-color-text)' };
  // Subtle buttons are text on white: shade 9 of their color is dark enough.
  const color = input.color ?? input.theme.primaryColor;
  if (input.variant === 'subtle' && color in input.theme.colors) return { ...colors, color: `var(--mantine-color-${color}-9)`, hover: `var(--mantine-color-${color}-0)` };
  return colors;
};

/** The one theme: dense defaults for the agent workspace. */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 6 (the default) gives white button labels and indigo links only about 4:1 contrast; 7 passes WCAG AA (4.5:1).
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'sm',
  // Black or white text on filled colors by their lightness: black above luminance 0.18, where white
  // falls below 4.5:1 (white on red 6 is 3.8:1, on teal 6 3.1:1).
  autoContrast: true,
  luminanceThreshold: 0.18,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  variantColorResolver,
  components: {
    Button: { defaultProps: { size: 'sm' } },
    // The notifications' close buttons have no text; axe (button-name) wants them named.
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': t.common.close } } },
    // The default "Toggle password visibility" would also match a search for the "Password" field's label.
    PasswordInput: PasswordInput.extend({ defaultProps: { visibilityToggleButtonProps: { 'aria-label': t.auth.showCharacters } } }),
  },
});

/**
 * Mantine's dimmed gray (gray 6) is about 3.3:1 on white; gray 7 keeps hints and timestamps readable (WCAG AA).
 * Tinted (light) surfaces such as active navigation links and badges get the body text color: no shade reaches 4.5:1 on its own tint.
 */
export const cssVariablesResolver: CSSVariablesResolver = (current) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(Object.keys(current.colors).map((name) => [`--mantine-color-${name}-light-color`, 'var(--mantine-color-text)'])),
  },
  dark: {},
});
