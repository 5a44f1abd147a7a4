import { ensureDependencies } from './dependencies.mjs';
import { loadLocalEnvironment } from './environment.mjs';
import { say } from './run.mjs';

/**
 * What `npm start` and `npm test` share: dependencies, environment, infrastructure, build and
 * migrations. Steps already done are skipped quickly. Modules that need node_modules are imported
 * only after the install step, so this runs on a fresh clone.
 */
export async function prepare({ typecheck: withTypecheck = false, browser = false, imapServer = false, pgBouncer = false, promtool = false } = {}) {
  await ensureDependencies();
  loadLocalEnvironment();
  const { ensureBrowser, ensureImapServer, ensureInfrastructure, ensurePgBouncer, ensurePromtool } = await import('./infrastructure.mjs');
  const { build, typecheck } = await import('./build.mjs');
  const { ensureDatabase, migrate } = await import('./database.mjs');
  const { ensureDatabaseLogin } = await import('./postgres-login.mjs');
  await ensureInfrastructure();
  await ensureDatabaseLogin();
  if (browser) await ensureBrowser();
  if (imapServer) await ensureImapServer();
  if (pgBouncer) await ensurePgBouncer();
  if (promtool) await ensurePromtool();
  if (withTypecheck) await typecheck();
  await build();
  await ensureDatabase();
  await migrate('up');
  say('prepared: dependencies, PostgreSQL, Redis, NATS (JetStream), build, migrations');
}
