/**
 * Ant Design for what is inside: its provider (the Vietnamese locale, the theme, its stylesheet, the message and
 * dialog context) loads when this is first rendered. Every screen renders inside one (app/layout/shell.tsx) except a
 * plain screen (a route whose handle says `plain`: the members list), which draws its first view with plain
 * elements and wraps only the parts that need Ant Design (its filters, Ant Design's table…): on a slow phone its
 * rows then show before Ant Design's ~150 KB of code and ~75 KB of stylesheet have been fetched and run.
 */

import { type ReactNode, Suspense } from 'react';
import { preloadable } from '@/lib/lazy';

// Once loaded, given without suspending (lib/lazy.ts): a screen on Ant Design shows as soon as it can.
const provider = preloadable(() => import('./antd-provider').then((module) => module.AntdProvider));

/** Ant Design's provider, fetched now (a screen's route asks for it beside the screen's code: app/router.tsx). */
export const loadAntd = provider.preload;

export function WithAntd({ children, fallback = null }: { children: ReactNode; fallback?: ReactNode }) {
  return (
    <Suspense fallback={fallback}>
      <provider.Component>{children}</provider.Component>
    </Suspense>
  );
}

/**
 * A part drawn on Ant Design that takes over after a plain screen's first view (`useTakeOver`,
 * components/progressive-table.tsx): `load` fetches its code with Ant Design's provider, so that it then renders in
 * one step without suspending; `loaded` gives it once it has come.
 */
export function afterFirstView<T>(load: () => Promise<T>) {
  let loaded: T | undefined;
  return {
    load: () => Promise.all([load(), loadAntd()]).then(([value]) => (loaded = value)),
    loaded: () => loaded,
  };
}
