// Vite build of the Ichigen web UI. CMake (src/web/CMakeLists.txt) runs
// `npm run build` with ICHIGEN_WEB_OUT set to a folder in the build tree;
// every file written there is embedded into the ichigen binary.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.ICHIGEN_WEB_OUT || 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2020',
    reportCompressedSize: false,
  },
  // Development only: `ICHIGEN_API=http://127.0.0.1:8080 npx vite preview`
  // serves the built UI and forwards /api to a running `ichigen serve`.
  preview: process.env.ICHIGEN_API ? { proxy: { '/api': process.env.ICHIGEN_API } } : undefined,
  server: process.env.ICHIGEN_API ? { proxy: { '/api': process.env.ICHIGEN_API } } : undefined,
});
