/**
 * The app's routes. Everything behind sign-in is loaded on demand (route-level code splitting), so the sign-in
 * page loads only what it needs. Paths are Vietnamese without diacritics: officers read and share them.
 */

import { createBrowserRouter, Navigate, Outlet, type RouteObject, useLocation } from 'react-router';
import { FullPageSpin } from '@/components/full-page-spin';
import { loadAntd, WithAntd } from '@/components/with-antd';
import { SignInPage } from '@/features/auth/routes/sign-in';
import { useSession } from '@/lib/session-hooks';
import type { ScreenHandle } from './layout/shell';
import { RouteError } from './route-error';

function lazyPage(load: () => Promise<{ default: React.ComponentType }>) {
  return async () => ({ Component: (await load()).default });
}

/**
 * A signed-in screen on Ant Design: its code with Ant Design's provider fetched beside it (the shell renders the
 * screen inside it, components/with-antd.tsx), not once the shell has rendered, and there when the screen first
 * renders (no suspended boundary to reveal). A plain screen uses `lazyPage`.
 */
function antdPage(load: () => Promise<{ default: React.ComponentType }>) {
  return async () => {
    const [page] = await Promise.all([load(), loadAntd()]);
    return { Component: page.default };
  };
}

function RequireSession() {
  const state = useSession();
  const location = useLocation();
  if (state.status === 'unknown') return <FullPageSpin />;
  if (state.status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    const query = next === '/' || state.reason === 'signed-out' ? '' : `?next=${encodeURIComponent(next)}`;
    return <Navigate to={`/dang-nhap${query}`} replace />;
  }
  if (state.mustChangePassword && location.pathname !== '/doi-mat-khau') {
    return <Navigate to="/doi-mat-khau" replace />;
  }
  return <Outlet />;
}

/** The routes below on Ant Design (components/with-antd.tsx): the screens outside the shell, which has its own. */
function AntdOutlet() {
  return (
    <WithAntd fallback={<FullPageSpin />}>
      <Outlet />
    </WithAntd>
  );
}

export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    hydrateFallbackElement: <FullPageSpin />,
    children: [
      { path: '/dang-nhap', element: <SignInPage /> },
      // A member's public pages are plain HTML too (a phone, a slow network): no Ant Design, no server-state cache.
      { path: '/tra-cuu', lazy: lazyPage(() => import('@/features/public/routes/lookup')) },
      // Where a card's QR code points: the gateway gives browsers this page, programs the JSON.
      { path: '/api/v1/public/cards/verify/:code', lazy: lazyPage(() => import('@/features/public/routes/verify-card')) },
      {
        // Everything else needs the server-state cache, which loads with the first of these screens.
        lazy: lazyPage(() => import('./providers-root')),
        children: [
          {
            element: <AntdOutlet />,
            children: [
              { path: '/the-dien-tu/:code?', lazy: antdPage(() => import('@/features/public/routes/digital-card')) },
            ],
          },
          {
            element: <RequireSession />,
            children: [
              {
                element: <AntdOutlet />,
                children: [
                  { path: '/doi-mat-khau', lazy: antdPage(() => import('@/features/auth/routes/forced-change')) },
                ],
              },
              {
                lazy: lazyPage(() => import('./layout/shell')),
                children: [
                  { index: true, lazy: lazyPage(() => import('./home')), handle: { plain: true } satisfies ScreenHandle },
                  { path: '/tai-khoan', lazy: antdPage(() => import('@/features/auth/routes/account')) },
                  {
                    path: '/don-vi/:unitId',
                    lazy: lazyPage(() => import('@/features/units/routes/unit')),
                    // The page the app lands on after signing in: plain HTML first (features/units/routes/unit.tsx).
                    handle: { plain: true } satisfies ScreenHandle,
                  },
                  {
                    path: '/don-vi/:unitId/doan-vien',
                    lazy: lazyPage(() => import('@/features/members/routes/members')),
                    // Its first view is plain HTML; it loads Ant Design for the parts that need it (as the users,
                    // the print orders and the audit trail do).
                    handle: { plain: true } satisfies ScreenHandle,
                  },
                  {
                    path: '/don-vi/:unitId/doan-vien/moi',
                    lazy: antdPage(() => import('@/features/members/routes/new-member')),
                  },
                  {
                    path: '/don-vi/:unitId/doan-vien/:memberId',
                    lazy: antdPage(() => import('@/features/members/routes/member')),
                  },
                  {
                    path: '/don-vi/:unitId/nhap-excel',
                    lazy: antdPage(() => import('@/features/imports/routes/import')),
                  },
                  {
                    path: '/don-vi/:unitId/nhap-excel/:importId',
                    lazy: antdPage(() => import('@/features/imports/routes/import')),
                  },
                  {
                    path: '/don-vi/:unitId/phe-duyet',
                    lazy: antdPage(() => import('@/features/members/routes/approvals')),
                  },
                  {
                    path: '/don-vi/:unitId/chuyen-sinh-hoat',
                    lazy: antdPage(() => import('@/features/members/routes/transfers')),
                  },
                  {
                    path: '/don-vi/:unitId/anh',
                    lazy: antdPage(() => import('@/features/members/routes/photos')),
                  },
                  {
                    path: '/don-vi/:unitId/the',
                    lazy: lazyPage(() => import('@/features/cards/routes/cards')),
                    handle: { plain: true } satisfies ScreenHandle,
                  },
                  { path: '/don-vi/:unitId/the/phi', lazy: antdPage(() => import('@/features/cards/routes/fees')) },
                  {
                    path: '/don-vi/:unitId/the/don/:orderId',
                    lazy: antdPage(() => import('@/features/cards/routes/print-order')),
                  },
                  {
                    path: '/don-vi/:unitId/nguoi-dung',
                    lazy: lazyPage(() => import('@/features/admin/routes/users')),
                    handle: { plain: true } satisfies ScreenHandle,
                  },
                  {
                    path: '/don-vi/:unitId/nguoi-dung/:userId',
                    lazy: antdPage(() => import('@/features/admin/routes/user')),
                  },
                  {
                    path: '/don-vi/:unitId/uy-quyen',
                    lazy: antdPage(() => import('@/features/admin/routes/delegations')),
                  },
                  {
                    path: '/don-vi/:unitId/ban-giao',
                    lazy: antdPage(() => import('@/features/admin/routes/handover')),
                  },
                  {
                    path: '/don-vi/:unitId/ngan-hang',
                    lazy: antdPage(() => import('@/features/cards/routes/bank-partners')),
                  },
                  {
                    path: '/don-vi/:unitId/ung-dung',
                    lazy: antdPage(() => import('@/features/admin/routes/clients')),
                  },
                  {
                    path: '/don-vi/:unitId/nhat-ky',
                    lazy: lazyPage(() => import('@/features/audit/routes/audit')),
                    handle: { plain: true } satisfies ScreenHandle,
                  },
                  {
                    path: '/don-vi/:unitId/doan-phi',
                    lazy: lazyPage(() => import('@/features/dues/routes/dues')),
                    handle: { plain: true } satisfies ScreenHandle,
                  },
                  { path: '/don-vi/:unitId/doan-phi/no', lazy: antdPage(() => import('@/features/dues/routes/arrears')) },
                  {
                    path: '/don-vi/:unitId/doan-phi/nop-cap-tren',
                    lazy: antdPage(() => import('@/features/dues/routes/remittances')),
                  },
                  {
                    path: '/don-vi/:unitId/doan-phi/bang-luong',
                    lazy: antdPage(() => import('@/features/dues/routes/payroll')),
                  },
                  {
                    path: '/don-vi/:unitId/doan-phi/quy-dinh',
                    lazy: antdPage(() => import('@/features/dues/routes/policies')),
                  },
                  {
                    path: '/don-vi/:unitId/doan-phi/:month',
                    lazy: antdPage(() => import('@/features/dues/routes/dues-month')),
                  },
                  {
                    path: '/don-vi/:unitId/bao-cao',
                    lazy: antdPage(() => import('@/features/reports/routes/dashboard')),
                  },
                  {
                    path: '/don-vi/:unitId/bao-cao/phat-trien',
                    lazy: antdPage(() => import('@/features/reports/routes/development')),
                  },
                  {
                    path: '/don-vi/:unitId/bao-cao/theo-tieu-chi',
                    lazy: antdPage(() => import('@/features/reports/routes/breakdown')),
                  },
                  {
                    path: '/don-vi/:unitId/bao-cao/to-chuc',
                    lazy: antdPage(() => import('@/features/reports/routes/units')),
                  },
                  {
                    path: '/don-vi/:unitId/bao-cao/chi-tieu',
                    lazy: antdPage(() => import('@/features/reports/routes/targets')),
                  },
                  {
                    path: '/don-vi/:unitId/nhat-ky/du-lieu-ca-nhan',
                    lazy: antdPage(() => import('@/features/audit/routes/personal-data')),
                  },
                  { path: '*', lazy: antdPage(() => import('./not-found')) },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
