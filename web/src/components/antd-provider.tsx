/**
 * Ant Design in Vietnamese with the app's theme, loaded where a screen needs it (components/with-antd.tsx): the
 * sign-in page, the member's public pages and a plain screen's first view need none.
 *
 * Its styles come from its prebuilt stylesheet (zero-runtime mode), the theme's colours as CSS variables: a phone
 * no longer computes, hashes and inserts every component's styles as it first renders the component (about 0.3 s
 * of the members list's main thread on a 4×-slowed CPU, profiled with bench_web.py). The stylesheet (~75 KB
 * compressed) loads once with the first signed-in screen and is cached for a year like every hashed file.
 */

import { App, ConfigProvider } from 'antd';
import 'antd/dist/antd.css';
import viVN from 'antd/locale/vi_VN';
import dayjs from 'dayjs';
import 'dayjs/locale/vi';
import type { ReactNode } from 'react';
import { theme, withoutMotion } from '@/lib/theme';

dayjs.locale('vi');

// A user who asked the system for less motion gets none: dialogs, drawers and buttons change at once. (It also
// spares a slow phone the animations.)
const reducedMotion = typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

export function AntdProvider({ children }: { children: ReactNode }) {
  return (
    <ConfigProvider locale={viVN} theme={{ ...(reducedMotion ? withoutMotion : theme), zeroRuntime: true }}>
      {/* Its message, notification and dialog context (`App.useApp`), without an element of its own. */}
      <App component={false}>{children}</App>
    </ConfigProvider>
  );
}
