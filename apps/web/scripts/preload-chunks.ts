import type { Plugin } from 'vite';

type Chunk = { type: 'chunk'; fileName: string; imports: string[]; facadeModuleId: string | null };
type Output = Record<string, Chunk | { type: 'asset'; fileName: string }>;

/**
 * Adds `<link rel="modulepreload">` to index.html for a module the entry imports dynamically and at
 * once (and the chunks it imports), so the browser fetches it alongside the entry instead of after
 * the entry has run. The entry stays small and starts its requests first (see src/early-start.ts).
 */
export function preloadDynamicEntry({ module }: { module: string }): Plugin {
  return {
    name: 'helpdesk:preload-dynamic-entry',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const chunks = Object.values((context.bundle ?? {}) as unknown as Output).filter((file): file is Chunk => file.type === 'chunk');
        const root = chunks.find((chunk) => chunk.facadeModuleId?.endsWith(module));
        if (!root) throw new Error(`preload-dynamic-entry: no chunk for ${module}`);
        const files = new Set<string>();
        const visit = (fileName: string) => {
          if (files.has(fileName)) return;
          files.add(fileName);
          for (const imported of chunks.find((chunk) => chunk.fileName === fileName)?.imports ?? []) visit(imported);
        };
        visit(root.fileName);
        // The entry's own static imports are preloaded by Vite already.
        const entry = context.chunk as unknown as Chunk | undefined;
        for (const fileName of [entry?.fileName, ...(entry?.imports ?? [])]) if (fileName) files.delete(fileName);
        return [...files].map((fileName) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${fileName}` }, injectTo: 'head' as const }));
      },
    },
  };
}
