/**
 * Ant Design for what is inside: its provider (the Vietnamese locale, the theme, its stylesheet, the message and
 * dialog context) loads when this is first rendered. Every screen renders inside one (app/layout/shell.tsx) except a
 * plain screen (a route whose handle says `plain`: the members list), which draws its first view with plain
 * elements and wraps only the parts that need Ant Design (its filters, Ant Design's table…): on a slow phone its
 * rows then show before Ant Design's ~150 KB of code and ~75 KB of stylesheet have been fetched and run.
 */

import { lazy, type ReactNode, Suspense } from 'react';

const AntdProvider = lazy(() => import('./antd-provider').then((module) => ({ default: module.AntdProvider })));

export function WithAntd({ children, fallback = null }: { children: ReactNode; fallback?: ReactNode }) {
  return (
    <Suspense fallback={fallback}>
      <AntdProvider>{children}</AntdProvider>
    </Suspense>
  );
}
