/// <reference types="vitest/config" />
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { createServer, defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const EARLY_SIGN_IN = 'early-sign-in';

/**
 * The sign-in page ready before any script (a phone on a slow network waits ~2 s for the app's JavaScript):
 * `dang-nhap.html` is index.html with the sign-in form rendered into it by React on the server side
 * (src/features/auth/prerender.tsx) and the app's small stylesheet inlined, so the form shows with the first
 * response. Its script tags are index.html's, after the early script's (src/early-sign-in.ts, its own entry), which
 * lets the form be sent before the app arrives: the app starts, renders the same page, keeps what was typed and
 * takes over a login already sent. No inline script: the Content-Security-Policy stays as it is.
 */
async function prerenderSignIn(dist: string, earlyScript: string): Promise<void> {
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'error',
    resolve: { alias: { '@': join(root, 'src') } },
    server: { middlewareMode: true, hmr: false, ws: false },
    appType: 'custom',
  });
  let markup: string;
  try {
    const module = await server.ssrLoadModule('/src/features/auth/prerender.tsx');
    markup = (module.renderSignIn as () => string)();
  } finally {
    await server.close();
  }
  let html = await readFile(join(dist, 'index.html'), 'utf8');
  const link = /<link rel="stylesheet"[^>]*href="(\/assets\/[^"]+\.css)"[^>]*>/;
  const css = link.exec(html);
  if (!css) throw new Error('prerenderSignIn: no stylesheet link in index.html');
  const style = await readFile(join(dist, css[1]), 'utf8');
  html = html.replace(link, () => `<style>${style}</style>`);
  if (!html.includes('<div id="root"></div>')) throw new Error('prerenderSignIn: no empty #root in index.html');
  html = html.replace('<div id="root"></div>', () => `<div id="root">${markup}</div>`);
  // Deferred module scripts run in document order: the early one (under 1 KB) first, once the form is parsed.
  const app = /<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/;
  if (!app.test(html)) throw new Error('prerenderSignIn: no app script in index.html');
  html = html.replace(app, (tag) => `<script type="module" crossorigin src="/${earlyScript}"></script>\n    ${tag}`);
  await writeFile(join(dist, 'dang-nhap.html'), html);
}

/**
 * After the bundle: the prerendered sign-in page, Swagger UI's files for the gateway's /docs (unit offices often have no outside internet, so
 * nothing may come from a CDN), then brotli and gzip copies beside every text file, so the gateway serves them
 * compressed without compressing per request.
 */
function finishDist(): Plugin {
  let earlyScript = '';
  return {
    name: 'finish-dist',
    apply: 'build',
    generateBundle(_options, bundle) {
      const early = Object.values(bundle).find((output) => output.type === 'chunk' && output.isEntry
        && output.name === EARLY_SIGN_IN);
      if (!early) throw new Error('finishDist: no early sign-in script in the bundle');
      if (early.type === 'chunk' && early.imports.length) throw new Error('finishDist: the early sign-in script imports');
      earlyScript = early.fileName;
    },
    async closeBundle() {
      const dist = join(root, 'dist');
      await prerenderSignIn(dist, earlyScript);
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
    rollupOptions: { input: { index: join(root, 'index.html'), [EARLY_SIGN_IN]: join(root, 'src/early-sign-in.ts') } },
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
