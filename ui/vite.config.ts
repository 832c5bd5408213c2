import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The Go server (partnerdesk serve / dev) listens here during development.
const backend = process.env.PARTNERDESK_BACKEND ?? 'http://127.0.0.1:8080';

const proxied = ['/api', '/auth', '/webhooks', '/healthz'];

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: backend, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server sends `script-src 'self'`: nothing may be inlined as a script.
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Vendor code changes rarely: keep it in its own long-cached chunks.
        codeSplitting: {
          groups: [
            // Form validation is only needed by pages with forms (lazy), not on the first visit.
            { name: 'forms', test: /node_modules[\\/](zod|@mantine[\\/]form|@standard-schema|klona|fast-deep-equal)[\\/]/, priority: 5 },
            // The table model is only needed by list pages (lazy), not by the sign-in screen.
            { name: 'table', test: /node_modules[\\/]@tanstack[\\/](react-table|table-core|react-store|store)[\\/]/, priority: 5 },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 20 },
            { name: 'mantine', test: /node_modules[\\/]@mantine[\\/](?!form[\\/])/, priority: 10 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 0 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}', 'eslint/**/*.test.js'],
    restoreMocks: true,
    // Whole-app tests on a shared 2-core machine.
    testTimeout: 60_000,
    unstubGlobals: true,
  },
});
