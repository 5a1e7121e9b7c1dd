/// <reference types="vitest/config" />
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { createServer, defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const EARLY_SIGN_IN = 'early-sign-in';
const EARLY_SESSION = 'early-session';
const APP_SCRIPT = /<script type="module" crossorigin src="\/assets\/index-[^"]+\.js"><\/script>/;

/**
 * The unit screens whose code is large, with the modules their route loads (app/router.tsx, app/prefetch.ts): each
 * gets a page, `screens/<name>.html`, served by the gateway for `/don-vi/<unit>/<name>`, whose head names that code
 * (`modulepreload` links in a template, which src/early-session.ts puts into the page just after it has sent the
 * session's renewal: on HTTP/1.1's six connections the renewal goes first), so a phone fetches it beside the app's
 * instead of after the app has run and matched the route. A screen on Ant Design names its provider too (the
 * plain screens, app/router.tsx, do not).
 */
const SCREENS: Record<string, string[]> = {
  'bao-cao': ['src/app/prefetch.ts', 'src/features/reports/routes/dashboard.tsx', 'src/app/providers-root.tsx',
    'src/app/layout/shell.tsx', 'src/components/antd-provider.tsx'],
  'doan-vien': ['src/app/prefetch.ts', 'src/features/members/routes/members.tsx', 'src/app/providers-root.tsx',
    'src/app/layout/shell.tsx'],
  'doan-phi': ['src/app/prefetch.ts', 'src/features/dues/routes/dues.tsx', 'src/app/providers-root.tsx',
    'src/app/layout/shell.tsx'],
  'nhat-ky': ['src/app/prefetch.ts', 'src/features/audit/routes/audit.tsx', 'src/app/providers-root.tsx',
    'src/app/layout/shell.tsx'],
  'nguoi-dung': ['src/app/prefetch.ts', 'src/features/admin/routes/users.tsx', 'src/app/providers-root.tsx',
    'src/app/layout/shell.tsx'],
  the: ['src/app/prefetch.ts', 'src/features/cards/routes/cards.tsx', 'src/app/providers-root.tsx',
    'src/app/layout/shell.tsx'],
};
/**
 * The data a screen's first view waits for, which its page's early script asks for as soon as the renewal has
 * answered (src/early-session.ts): the frame's (the user, the unit's ancestors, the unit) and the first page of the
 * screen's list. Each is the very request the app sends for it (app/prefetch.ts), `{unit}` the address's unit: the app
 * takes the answer instead of sending it again, which a browser test checks (test_the_first_data_comes_with_the_page).
 */
const FRAME_DATA = ['/api/v1/identity/me', '/api/v1/orgtree/units/{unit}/ancestors', '/api/v1/orgtree/units/{unit}'];
const SCREEN_DATA: Record<string, string[]> = {
  'bao-cao': FRAME_DATA,
  'doan-vien': [...FRAME_DATA, '/api/v1/members/search?unit_id={unit}&limit=20'],
  // The dues' own data is asked for by the app (app/prefetch.ts): asked for here too, it made the phone slower
  // (docs/BENCHMARKS.md, the months of dues as a plain screen).
  'doan-phi': FRAME_DATA,
  'nguoi-dung': [...FRAME_DATA, '/api/v1/identity/users?limit=50&unit_id={unit}'],
  'nhat-ky': [...FRAME_DATA, '/api/v1/audit?limit=25'],
  'the': [...FRAME_DATA, '/api/v1/cards/print-orders?unit_id={unit}&limit=50'],
};
type Chunk = {
  fileName: string; imports: string[]; moduleIds: string[]; isEntry: boolean; name: string;
  viteMetadata?: { importedCss: Set<string> };
};

/**
 * The stylesheets `files` bring (Ant Design's prebuilt one, ~75 KB compressed, with the first signed-in screen):
 * the app waits for them before it renders that screen, so a screen's page names them too (preloaded), rather than
 * the app asking for them only once it has run and matched the route (1.5 s of slow 3G after that).
 */
function screenStyles(chunks: Chunk[], files: string[]): string[] {
  const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  return [...new Set(files.flatMap((file) => [...(byFile.get(file)?.viteMetadata?.importedCss ?? [])]))];
}

/** The files of each screen's modules and of everything they import, but the app's entry and its own imports. */
function screenFiles(chunks: Chunk[], table: Record<string, string[]>): Record<string, string[]> {
  const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const closure = (start: string[], into = new Set<string>()) => {
    for (const file of start) {
      if (into.has(file)) continue;
      into.add(file);
      closure(byFile.get(file)?.imports ?? [], into);
    }
    return into;
  };
  const entry = chunks.find((chunk) => chunk.isEntry && chunk.name === 'index');
  if (!entry) throw new Error('finishDist: no app entry in the bundle');
  const loaded = closure([entry.fileName]);
  return Object.fromEntries(Object.entries(table).map(([screen, modules]) => {
    const files = new Set<string>();
    for (const module of modules) {
      const chunk = chunks.find((c) => c.moduleIds.includes(join(root, module)));
      if (!chunk) throw new Error(`finishDist: ${module} (screen ${screen}) is in no chunk`);
      closure([chunk.fileName], files);
    }
    return [screen, [...files].filter((file) => !loaded.has(file))];
  }));
}

/**
 * `html` with the signed-in screens' frame drawn in it (src/app/layout/boot-shell.html, styled by app.css, which is
 * in the page) after the app's `#root`: what a phone shows from the page's first response until the app has run.
 * Only the pages of signed-in screens get it (`app.html`, the screens' pages), not the sign-in or the public pages.
 */
async function withBootShell(html: string, page: string): Promise<string> {
  const empty = '<div id="root"></div>';
  if (!html.includes(empty)) throw new Error(`finishDist: no empty #root in ${page}`);
  const shell = (await readFile(join(root, 'src/app/layout/boot-shell.html'), 'utf8')).trim();
  return html.replace(empty, () => `${empty}\n    ${shell}`);
}

/** `html` with a module script for `file` just before the app's: deferred module scripts run in document order. */
function beforeApp(html: string, file: string, page: string): string {
  if (!APP_SCRIPT.test(html)) throw new Error(`finishDist: no app script in ${page}`);
  return html.replace(APP_SCRIPT, (tag) => `<script type="module" crossorigin src="/${file}"></script>\n    ${tag}`);
}

/**
 * `html` with the app's small stylesheet (~2 KB compressed) in it instead of linked: a page is revalidated on every
 * visit anyway, and a linked stylesheet is one more round trip (400 ms on slow 3G) that holds back the page's
 * first paint and its scripts (deferred scripts wait for the stylesheets before them), on every page a phone opens
 * first: the sign-in page inlines it, so the stylesheet was never in the browser's cache when the next page came.
 */
async function inlineStylesheet(dist: string, html: string): Promise<string> {
  const link = /<link rel="stylesheet"[^>]*href="(\/assets\/[^"]+\.css)"[^>]*>/;
  const css = link.exec(html);
  if (!css) throw new Error('finishDist: no stylesheet link in index.html');
  const style = await readFile(join(dist, css[1]), 'utf8');
  return html.replace(link, () => `<style>${style}</style>`);
}

/**
 * The sign-in page ready before any script (a phone on a slow network waits ~2 s for the app's JavaScript):
 * `dang-nhap.html` is index.html with the sign-in form rendered into it by React on the server side
 * (src/features/auth/prerender.tsx), so the form shows with the first response (the stylesheet is in the page).
 * Its script tags are index.html's, after the early script's (src/early-sign-in.ts, its own entry), which
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
  if (!html.includes('<div id="root"></div>')) throw new Error('prerenderSignIn: no empty #root in index.html');
  html = html.replace('<div id="root"></div>', () => `<div id="root">${markup}</div>`);
  // The early one (under 1 KB) runs before the app, once the form is parsed.
  await writeFile(join(dist, 'dang-nhap.html'), beforeApp(html, earlyScript, 'index.html'));
}

/**
 * After the bundle: the stylesheet inlined and every page's early script (src/early-session.ts: the session's
 * renewal sent before the app's code has arrived and been parsed) put into index.html before the app's, the
 * prerendered sign-in page, the large screens' pages (`SCREENS`), Swagger UI's files for the gateway's /docs (unit
 * offices often have no outside internet, so nothing may come from a CDN), then brotli and gzip copies beside every
 * text file, so the gateway serves them compressed without compressing per request.
 */
function finishDist(): Plugin {
  const early: Record<string, string> = {};
  let screens: Record<string, string[]> = {};
  let styles: Record<string, string[]> = {};
  let dist = join(root, 'dist');
  return {
    name: 'finish-dist',
    apply: 'build',
    configResolved(config) {
      dist = resolve(config.root, config.build.outDir);
    },
    generateBundle(_options, bundle) {
      for (const name of [EARLY_SIGN_IN, EARLY_SESSION]) {
        const chunk = Object.values(bundle).find((output) => output.type === 'chunk' && output.isEntry
          && output.name === name);
        if (!chunk) throw new Error(`finishDist: no ${name} script in the bundle`);
        // One small file that runs before the app: an import would make it wait for (and share) the app's code.
        if (chunk.type === 'chunk' && chunk.imports.length) throw new Error(`finishDist: the ${name} script imports`);
        early[name] = chunk.fileName;
      }
      const chunks = Object.values(bundle).filter((output) => output.type === 'chunk');
      screens = screenFiles(chunks, SCREENS);
      styles = Object.fromEntries(Object.entries(screens).map(([screen, files]) => [screen, screenStyles(chunks, files)]));
    },
    async closeBundle(error) {
      if (error) throw error; // the build's own failure, not a missing page of it
      const index = join(dist, 'index.html');
      const page = await inlineStylesheet(dist, await readFile(index, 'utf8'));
      await writeFile(index, beforeApp(page, early[EARLY_SESSION], 'index.html'));
      await prerenderSignIn(dist, early[EARLY_SIGN_IN]);
      await mkdir(join(dist, 'screens'), { recursive: true });
      const html = await readFile(index, 'utf8');
      // The page of every other signed-in screen (the gateway serves it for `/don-vi/...`).
      await writeFile(join(dist, 'app.html'), await withBootShell(html, 'index.html'));
      const links = (files: string[]) =>
        files.map((file) => `<link rel="modulepreload" crossorigin href="/${file}">`).join('');
      for (const [screen, files] of Object.entries(screens)) {
        // Fetched once the early script has run.
        const css = (styles[screen] ?? []).map((file) => `<link rel="preload" as="style" crossorigin href="/${file}">`);
        // The stylesheet after the scripts: it is needed only when the app renders, which the scripts come before.
        const early = (SCREEN_DATA[screen] ?? []).join(' ').replaceAll('&', '&amp;');
        const code = `<template id="screen-code" data-early="${early}">${links(files)}${css.join('')}</template>`;
        const page = (await withBootShell(html, 'index.html')).replace(APP_SCRIPT, (tag) => `${tag}\n    ${code}`);
        await writeFile(join(dist, 'screens', `${screen}.html`), page);
      }
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
        if (content.length < 1024 && !file.endsWith('.js')) continue; // every script compressed, however small
        await writeFile(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        await writeFile(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

/**
 * The members list's first view in one file: the modules the list needs before its first rows (the shell, the
 * server-state cache, the page-load prefetch, the list itself), but those the app's entry already has, are one chunk,
 * `first-screen`, instead of the ~30 small files the automatic splitting made of them. Each file was a request (on
 * HTTP/1.1's six connections, slow 3G's round trips queued: most of a phone's wait after the app's code) and a
 * `modulepreload` link appended on the main thread (~4 ms each on a 4×-slowed phone). Every other signed-in screen
 * loads the shell from that chunk too, with the list's own few kilobytes: the list is where an officer goes next
 * (the shell fetches it when idle anyway).
 * The entry's own modules (React, the router, the sign-in page) are left out of the group (and the group does not
 * pull in what its modules import: `includeDependenciesRecursively`), so the chunk imports from the entry and never
 * the other way round. The bundler makes the two small modules both share (the session, its errors: 2 KB) files of
 * their own, which every page preloads beside the entry; the sign-in page loads no more code than before.
 */
const FIRST_SCREEN = ['src/app/layout/shell.tsx', 'src/app/providers-root.tsx', 'src/app/prefetch.ts',
  'src/features/members/routes/members.tsx'];

function firstScreenChunk(): Plugin & { captures: (id: string) => boolean } {
  let captured = new Set<string>();
  return {
    name: 'first-screen-chunk',
    apply: 'build',
    captures: (id: string) => captured.has(id),
    buildEnd() {
      const closure = (start: string[], skip = new Set<string>()) => {
        const into = new Set<string>();
        const visit = (id: string) => {
          if (into.has(id) || skip.has(id)) return;
          into.add(id);
          for (const next of this.getModuleInfo(id)?.importedIds ?? []) visit(next);
        };
        start.forEach(visit);
        return into;
      };
      const entries = [...this.getModuleIds()].filter((id) => this.getModuleInfo(id)?.isEntry);
      const entry = closure(entries);
      const starts = FIRST_SCREEN.map((module) => join(root, module));
      for (const start of starts) {
        if (!this.getModuleInfo(start)) throw new Error(`firstScreenChunk: ${start} is not in the build`);
      }
      captured = closure(starts, entry);
    },
  };
}
const firstScreen = firstScreenChunk();

export default defineConfig({
  plugins: [react(), firstScreen, finishDist()],
  resolve: { alias: { '@': join(root, 'src') } },
  build: {
    target: 'es2022',
    rolldownOptions: {
      input: {
        index: join(root, 'index.html'),
        [EARLY_SIGN_IN]: join(root, 'src/early-sign-in.ts'),
        [EARLY_SESSION]: join(root, 'src/early-session.ts'),
      },
      output: {
        codeSplitting: {
          groups: [{ name: 'first-screen', test: firstScreen.captures, includeDependenciesRecursively: false }],
        },
      },
    },
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
