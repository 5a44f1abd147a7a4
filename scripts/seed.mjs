import { build } from './lib/build.mjs';
import { ensureDatabase, migrate } from './lib/database.mjs';
import { loadLocalEnvironment } from './lib/environment.mjs';
import { ROOT } from './lib/paths.mjs';
import { runOrFail } from './lib/run.mjs';

loadLocalEnvironment();
await build();
await ensureDatabase();
await migrate('up');
await runOrFail(process.execPath, [`${ROOT}/dist/apps/ticket/src/database/seed.js`], { cwd: ROOT });
