import { defineConfig } from 'vite';

/**
 * Builds the dashboard (web/) into dist/dashboard/, which the server serves at `/`.
 * Everything comes from node_modules at build time: no CDN, works offline.
 * `npm run dev:web` proxies the API to a callevt on 127.0.0.1:8080.
 */
export default defineConfig({
  root: 'web',
  base: '/',
  build: {
    outDir: '../dist/dashboard',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
