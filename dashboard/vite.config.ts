import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Built with `vite build dashboard` (the root is this folder); Parley serves the output at /dashboard/. */
export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: '../dist/dashboard',
    emptyOutDir: true,
    // The server's CSP allows no inline scripts or styles: nothing may be inlined as a data: URL either.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
