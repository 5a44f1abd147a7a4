import { Transform } from 'class-transformer';

/** Environment values are strings: these decorators turn them into the types the config class declares. */
export const EnvInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));

export const EnvBoolean = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const normalized = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
    if (['false', '0', 'no', 'off', ''].includes(normalized)) return false;
    return value;
  });

/** Comma-separated lists, as the replaced platform wrote ALLOWED_HOSTS and CORS_ALLOWED_ORIGINS. */
export const EnvList = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  );
