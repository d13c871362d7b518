import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The renderer is built once and served by both transports: Electron's app:// protocol and
// `capfence console` over loopback HTTP. Relative asset paths keep it portable between them.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    root: '.',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
