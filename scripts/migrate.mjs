import { build } from './lib/build.mjs';
import { ensureDatabase, migrate } from './lib/database.mjs';
import { loadLocalEnvironment } from './lib/environment.mjs';

const direction = process.argv[2] ?? 'up';
loadLocalEnvironment();
await build();
await ensureDatabase();
await migrate(direction);
