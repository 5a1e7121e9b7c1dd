/**
 * Ant Design in Vietnamese with the app's theme. Everything but the sign-in page renders inside it; it is kept out
 * of the first load so that the sign-in page (the one an officer on a slow phone waits for) needs no Ant Design.
 */

import { ConfigProvider } from 'antd';
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
  return <ConfigProvider locale={viVN} theme={reducedMotion ? withoutMotion : theme}>{children}</ConfigProvider>;
}
