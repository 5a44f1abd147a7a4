import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

interface Options {
  /** The route module whose page must stay within the budget (with the entry and everything it loads statically). */
  entryRoute: string;
  /** The app's code, imported dynamically by the small entry on every page (and preloaded from index.html). */
  appModule: string;
  budgetKb: number;
}

type Chunk = { type: 'chunk'; fileName: string; code: string; imports: string[]; facadeModuleId: string | null; isEntry: boolean };
type Output = Record<string, Chunk | { type: 'asset'; fileName: string; source: string | Uint8Array }>;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Prints every chunk's gzipped size and fails the build when the login page's JavaScript exceeds its budget. */
export function reportBundleSizes({ entryRoute, appModule, budgetKb }: Options): Plugin {
  return {
    name: 'helpdesk:bundle-sizes',
    apply: 'build',
    generateBundle(_options, bundle) {
      const output = bundle as unknown as Output;
      const chunks = Object.values(output).filter((file): file is Chunk => file.type === 'chunk');
      const gzipped = new Map(chunks.map((chunk) => [chunk.fileName, gzipSync(chunk.code).length]));
      const rows = chunks.map((chunk) => ({ name: chunk.fileName, raw: Buffer.byteLength(chunk.code), gzip: gzipped.get(chunk.fileName) ?? 0 })).sort((a, b) => b.gzip - a.gzip);
      const total = rows.reduce((sum, row) => sum + row.gzip, 0);
      // The largest chunks; the many small shared ones only in the total.
      const lines = rows.slice(0, 12).map((row) => `  ${row.name.padEnd(48)} ${kb(row.raw).padStart(10)}  gzip ${kb(row.gzip).padStart(9)}`);
      const entry = chunks.find((chunk) => chunk.isEntry);
      const route = chunks.find((chunk) => chunk.facadeModuleId?.endsWith(entryRoute));
      const app = chunks.find((chunk) => chunk.facadeModuleId?.endsWith(appModule));
      if (!entry || !route || !app) throw new Error(`bundle-sizes: cannot find the entry chunk, ${appModule} or ${entryRoute}`);
      const loaded = new Set<string>();
      const visit = (fileName: string) => {
        if (loaded.has(fileName)) return;
        loaded.add(fileName);
        for (const imported of chunks.find((chunk) => chunk.fileName === fileName)?.imports ?? []) visit(imported);
      };
      visit(entry.fileName);
      visit(app.fileName);
      visit(route.fileName);
      const loginBytes = [...loaded].reduce((sum, fileName) => sum + (gzipped.get(fileName) ?? 0), 0);
      console.log(
        `web console JavaScript, largest of ${rows.length} chunks:\n${lines.join('\n')}\n  all chunks: gzip ${kb(total)}\n  login page (entry, app and login chunks with their imports): gzip ${kb(loginBytes)}, budget ${budgetKb} KB`,
      );
      if (loginBytes > budgetKb * 1024) this.error(`the login page loads ${kb(loginBytes)} of gzipped JavaScript, over its ${budgetKb} KB budget`);
    },
  };
}
