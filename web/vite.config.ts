/// <reference types="vitest/config" />
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * After the bundle: Swagger UI's files for the gateway's /docs (unit offices often have no outside internet, so
 * nothing may come from a CDN), then brotli and gzip copies beside every text file, so the gateway serves them
 * compressed without compressing per request.
 */
function finishDist(): Plugin {
  return {
    name: 'finish-dist',
    apply: 'build',
    async closeBundle() {
      const dist = join(root, 'dist');
      const swagger = dirname(require.resolve('swagger-ui-dist/package.json'));
      const target = join(dist, 'vendor', 'swagger-ui');
      await mkdir(target, { recursive: true });
      for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
        await copyFile(join(swagger, file), join(target, file));
      }
      await copyFile(join(root, 'docs-start.js'), join(target, 'start.js'));
      for (const name of await readdir(dist, { recursive: true })) {
        const file = join(dist, name);
        if (!/\.(js|css|html|json|svg|webmanifest|txt)$/.test(file)) continue;
        const content = await readFile(file);
        if (content.length < 1024) continue;
        await writeFile(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        await writeFile(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), finishDist()],
  resolve: { alias: { '@': join(root, 'src') } },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testing/setup.ts'],
  },
});
