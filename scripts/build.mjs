import { rmSync } from 'node:fs';
import { build, typecheck } from './lib/build.mjs';
import { DIST_DIR } from './lib/paths.mjs';

rmSync(DIST_DIR, { recursive: true, force: true });
await typecheck();
await build({ force: true });
