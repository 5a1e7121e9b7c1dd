import { type ComponentType, lazy } from 'react';

/**
 * `React.lazy` that renders at once, without suspending, once its module has been loaded (`preload`, or an earlier
 * render). A boundary that suspends shows its fallback and then holds the content back ~300 ms (React throttles
 * such reveals): a desktop's screens measured it in full when Ant Design's provider and the sider's menu, already
 * loaded, were still given through a plain `lazy`. Given a thenable that answers synchronously, `lazy` takes the
 * component in the same render.
 */
export function preloadable<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loaded: ComponentType<P> | undefined;
  const preload = () => load().then((component) => (loaded = component));
  const Component = lazy(() => (loaded
    ? { then: (resolve: (module: { default: ComponentType<P> }) => void) => resolve({ default: loaded as ComponentType<P> }) }
    : preload().then((component) => ({ default: component }))) as Promise<{ default: ComponentType<P> }>);
  return { Component, preload };
}
