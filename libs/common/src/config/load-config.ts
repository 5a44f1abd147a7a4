import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parseNatsUrl } from '../nats/nats-options.js';
import { SECRET_PROPERTIES, ServiceConfig } from './service-config.js';

/** Raised when the environment cannot configure the service; its message is the single line printed at boot. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const MIN_SECRET_KEY_LENGTH = 32;
const WEAK_SECRET_KEYS = [/^change[-_ ]?me/i, /^secret$/i, /^django-insecure/i, /^dev(elopment)?[-_ ]?secret/i, /^(.)\1+$/];

function describe(error: ValidationError): string {
  const messages = Object.values(error.constraints ?? {});
  if (messages.length > 0) return messages.join('; ');
  const child = error.children?.[0];
  return child ? describe(child) : `${error.property} is invalid`;
}

function isSecret(config: object, property: string): boolean {
  const secrets = (config as { [SECRET_PROPERTIES]?: Set<string | symbol> })[SECRET_PROPERTIES];
  return secrets?.has(property) ?? false;
}

/**
 * Reads the environment once into a validated config object. Unknown variables are ignored (the
 * environment holds much else); a missing or malformed one fails with a line that names it.
 */
export function loadConfig<T extends ServiceConfig>(configClass: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  // An empty value counts as unset, so `.env.example`'s blank lines fall back to the defaults.
  const raw = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(configClass, raw);
  const [first] = validateSync(config, { forbidUnknownValues: true, stopAtFirstError: true, whitelist: true });
  if (first) {
    const received = raw[first.property];
    if (received === undefined) throw new ConfigurationError(`Invalid configuration: ${first.property} is required but not set`);
    const shown = isSecret(config, first.property) ? 'value hidden' : `got "${String(received)}"`;
    throw new ConfigurationError(`Invalid configuration: ${describe(first)} (${shown})`);
  }
  assertSafeForProduction(config);
  return config;
}

/** The production guard: refuse to boot with settings that are only acceptable on a developer's machine. */
export function assertSafeForProduction(config: ServiceConfig): void {
  if (config.NODE_ENV !== 'production') return;
  if (config.DEBUG) {
    throw new ConfigurationError('Refusing to start: DEBUG must be false when NODE_ENV=production');
  }
  const settings = config as ServiceConfig & { SECRET_KEY?: string; ALLOWED_HOSTS?: string[] };
  if ('SECRET_KEY' in settings) {
    const key = settings.SECRET_KEY ?? '';
    if (key.length < MIN_SECRET_KEY_LENGTH || WEAK_SECRET_KEYS.some((pattern) => pattern.test(key))) {
      throw new ConfigurationError(
        `Refusing to start: SECRET_KEY must be a random value of at least ${MIN_SECRET_KEY_LENGTH} characters when NODE_ENV=production (generate one with: openssl rand -base64 48)`,
      );
    }
  }
  if ('ALLOWED_HOSTS' in settings && (settings.ALLOWED_HOSTS ?? []).length === 0) {
    throw new ConfigurationError('Refusing to start: ALLOWED_HOSTS must list the public host names when NODE_ENV=production');
  }
}

/**
 * Part of the production guard for a service that connects to NATS (not for commands such as the
 * migrations): without its own user, it would connect with every permission NATS grants anonymous clients.
 */
export function assertServiceNatsUser(config: ServiceConfig): void {
  if (config.NODE_ENV !== 'production') return;
  const { credentials } = parseNatsUrl(config.NATS_URL);
  if (!credentials.user && !credentials.token) {
    throw new ConfigurationError(
      'Refusing to start: NATS_URL must carry this service\'s own NATS user when NODE_ENV=production (nats://<user>:<password>@host:4222, or a token); see docs/deployment.md, "NATS users and permissions per service"',
    );
  }
}
