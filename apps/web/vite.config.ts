import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { reportBundleSizes } from './scripts/bundle-sizes.ts';
import { preloadDynamicEntry } from './scripts/preload-chunks.ts';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://localhost:8080';

/** Types from libs/contracts are erased at compile time; a value import would drag server code (class-validator) into the bundle, so it fails the build. */
function contractsAreTypesOnly(): Plugin {
  return {
    name: 'helpdesk:contracts-types-only',
    resolveId(source, importer) {
      if (source === '@helpdesk/contracts' || source.includes('libs/contracts/')) {
        throw new Error(`${importer ?? 'a module'} imports a value from @helpdesk/contracts; use \`import type\` (no server code in the bundle)`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    contractsAreTypesOnly(),
    react(),
    // Brotli and gzip files next to every asset (even where no smaller), so the gateway can serve them without compressing per request.
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 0, skipIfLargerOrEqual: false }),
    preloadDynamicEntry({ module: 'src/app/boot.tsx' }),
    reportBundleSizes({ entryRoute: 'src/features/auth/components/LoginPage.tsx', appModule: 'src/app/boot.tsx', budgetKb: 250 }),
  ],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Mantine's components in one chunk: split per component, the queue's route needed about 30
          // small chunks, loaded six at a time (HTTP/1.1), and /me and the list queued behind them.
          // Scripts only: with its style sheets in the group, the entry's CSS import made the entry wait for
          // the whole chunk, and the early session restore (early-start.ts) with it.
          groups: [{ name: 'mantine', test: /node_modules[\\/]@mantine[\\/](core|hooks)[\\/].*\.m?js$/ }],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      // The gateway checks Origin on cookie-authenticated refreshes; present the gateway's own origin.
      '/api': { target: GATEWAY, changeOrigin: true, configure: (proxy) => proxy.on('proxyReq', (request) => request.setHeader('origin', GATEWAY)) },
      '/socket.io': { target: GATEWAY, ws: true, changeOrigin: true },
    },
  },
});
