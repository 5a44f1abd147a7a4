import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `dist/web` of the repository (or image) this gateway runs from: the nearest folder above this file
 * whose package.json is the platform's, so it is the same from source (tests), from dist/ and in /app.
 */
export function defaultWebRoot(): string {
  for (let directory = dirname(fileURLToPath(import.meta.url)); directory !== dirname(directory); directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'helpdesk') return join(directory, 'dist', 'web');
  }
  return join(process.cwd(), 'dist', 'web');
}
