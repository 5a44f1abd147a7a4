import { loadLocalEnvironment } from './lib/environment.mjs';
import { ensureInfrastructure } from './lib/infrastructure.mjs';
import { say } from './lib/run.mjs';

loadLocalEnvironment();
try {
  await ensureInfrastructure();
  say('PostgreSQL, Redis and NATS (JetStream) answer');
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
