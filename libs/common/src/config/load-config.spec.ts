import { IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { EnvList } from './env-transforms.js';
import { assertServiceNatsUser, ConfigurationError, loadConfig } from './load-config.js';
import { Secret, ServiceConfig } from './service-config.js';

class ExampleConfig extends ServiceConfig {
  @Secret()
  @IsString()
  SECRET_KEY!: string;

  @EnvList()
  @IsString({ each: true })
  ALLOWED_HOSTS: string[] = [];
}

const strongKey = 'kP3v9xQ2mZ8rT5wL1yB7nC4hF6jD0sGa';

describe('loadConfig', () => {
  it('uses the defaults when only the required variables are set', () => {
    const config = loadConfig(ExampleConfig, { SECRET_KEY: strongKey });
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.NATS_REQUEST_TIMEOUT_MS).toBe(5_000);
    expect(config.DEBUG).toBe(false);
  });

  it('converts numbers and booleans from their string form', () => {
    const config = loadConfig(ExampleConfig, { SECRET_KEY: strongKey, NATS_REQUEST_TIMEOUT_MS: '2500', DEBUG: 'true' });
    expect(config.NATS_REQUEST_TIMEOUT_MS).toBe(2_500);
    expect(config.DEBUG).toBe(true);
  });

  it('names a missing required variable in one line', () => {
    expect(() => loadConfig(ExampleConfig, {})).toThrow(/^Invalid configuration: SECRET_KEY is required but not set$/);
  });

  it('names a malformed variable and shows what it got', () => {
    expect(() => loadConfig(ExampleConfig, { SECRET_KEY: strongKey, NATS_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(
      'Invalid configuration: NATS_REQUEST_TIMEOUT_MS must be an integer number (got "soon")',
    );
    expect(() => loadConfig(ExampleConfig, { SECRET_KEY: strongKey, NATS_URL: 'http://nats:4222' })).toThrow(/NATS_URL must be one or more comma-separated nats:\/\/ URLs/);
  });

  it('never prints the value of a secret variable', () => {
    let message = '';
    try {
      loadConfig(ExampleConfig, { SECRET_KEY: strongKey, REDIS_URL: 'http://user:hunter2@redis' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('value hidden');
    expect(message).not.toContain('hunter2');
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig(ExampleConfig, { SECRET_KEY: strongKey, LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('ignores unrelated environment variables', () => {
    const config = loadConfig(ExampleConfig, { SECRET_KEY: strongKey, PATH: '/usr/bin', HOME: '/root' }) as unknown as Record<string, unknown>;
    expect(config.PATH).toBeUndefined();
  });

  describe('in production', () => {
    const production = { NODE_ENV: 'production', SECRET_KEY: strongKey, ALLOWED_HOSTS: 'help.example.com', NATS_URL: 'nats://gateway:s3cret@nats:4222' };

    it('starts with safe settings', () => {
      const config = loadConfig(ExampleConfig, production);
      expect(config.NODE_ENV).toBe('production');
      expect(config.ALLOWED_HOSTS).toEqual(['help.example.com']);
    });

    it('refuses DEBUG=true', () => {
      expect(() => loadConfig(ExampleConfig, { ...production, DEBUG: 'true' })).toThrow(
        new ConfigurationError('Refusing to start: DEBUG must be false when NODE_ENV=production'),
      );
    });

    it.each([['short-key'], ['change-me-please-change-me-please-123'], ['a'.repeat(40)], ['django-insecure-0123456789abcdef0123456789']])(
      'refuses the weak SECRET_KEY %s',
      (weakKey) => {
        expect(() => loadConfig(ExampleConfig, { ...production, SECRET_KEY: weakKey })).toThrow(/Refusing to start: SECRET_KEY must be a random value/);
      },
    );

    it.each([['nats://nats:4222'], ['nats://nats-0:4222,nats://nats-1:4222']])('refuses a NATS_URL without the service\'s own credentials (%s)', (natsUrl) => {
      expect(() => assertServiceNatsUser(loadConfig(ExampleConfig, { ...production, NATS_URL: natsUrl }))).toThrow(
        new ConfigurationError(
          'Refusing to start: NATS_URL must carry this service\'s own NATS user when NODE_ENV=production (nats://<user>:<password>@host:4222, or a token); see docs/deployment.md, "NATS users and permissions per service"',
        ),
      );
    });

    it('accepts NATS credentials as a user and password or as a token', () => {
      expect(() => assertServiceNatsUser(loadConfig(ExampleConfig, { ...production, NATS_URL: 'nats://gateway:s3cret@nats:4222' }))).not.toThrow();
      expect(() => assertServiceNatsUser(loadConfig(ExampleConfig, { ...production, NATS_URL: 'tls://t0ken@nats:4222' }))).not.toThrow();
      expect(() => assertServiceNatsUser(loadConfig(ExampleConfig, { ...production, NATS_URL: 'nats://nats:4222', NODE_ENV: 'development' }))).not.toThrow();
    });

    it('refuses empty ALLOWED_HOSTS', () => {
      expect(() => loadConfig(ExampleConfig, { NODE_ENV: 'production', SECRET_KEY: strongKey })).toThrow(
        'Refusing to start: ALLOWED_HOSTS must list the public host names when NODE_ENV=production',
      );
    });
  });
});
