/**
 * Ant Design for what is inside: its provider (the Vietnamese locale, the theme, its stylesheet, the message and
 * dialog context) loads when this is first rendered. Every screen renders inside one (app/layout/shell.tsx) except a
 * plain screen (a route whose handle says `plain`: the members list), which draws its first view with plain
 * elements and wraps only the parts that need Ant Design (its filters, Ant Design's table…): on a slow phone its
 * rows then show before Ant Design's ~150 KB of code and ~75 KB of stylesheet have been fetched and run.
 */

import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';

type Provider = ComponentType<{ children: ReactNode }>;
let loaded: Provider | undefined;

/** Ant Design's provider, fetched now (a screen's route asks for it beside the screen's code: app/router.tsx). */
export function loadAntd(): Promise<Provider> {
  return import('./antd-provider').then((module) => (loaded = module.AntdProvider));
}

// Once loaded, the provider is given at once (a thenable that answers synchronously, which React takes without
// suspending): a boundary that suspends and shows its fallback, even for a moment, then holds the content back
// ~300 ms (React throttles such reveals), which a desktop's screen measured in full.
const AntdProvider = lazy(() => (loaded
  ? { then: (resolve: (module: { default: Provider }) => void) => resolve({ default: loaded as Provider }) }
  : loadAntd().then((provider) => ({ default: provider }))) as Promise<{ default: Provider }>);

export function WithAntd({ children, fallback = null }: { children: ReactNode; fallback?: ReactNode }) {
  return (
    <Suspense fallback={fallback}>
      <AntdProvider>{children}</AntdProvider>
    </Suspense>
  );
}
