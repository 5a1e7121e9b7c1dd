/**
 * The shell around every signed-in screen: the header with the user menu, the current unit's breadcrumbs, the
 * menu of what the user may do in that unit, and the unit tree below the units where they hold roles. On a phone
 * the menu and the tree open in a drawer.
 * The frame (header, user menu, breadcrumbs) is plain HTML: a plain screen (the members list) shows its rows before
 * any Ant Design has loaded. The menu, the tree and every other screen render on Ant Design (with-antd.tsx).
 */

import { MenuOutlined } from '@ant-design/icons';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link, Outlet, useLocation, useMatches, useNavigate, useParams } from 'react-router';
import { loadAntd, WithAntd } from '@/components/with-antd';
import { useAncestors, useMe } from '@/lib/access';
import { whenIdle } from '@/lib/idle';
import { preloadable } from '@/lib/lazy';
import { useMedia } from '@/lib/media';
import { useUnit } from '@/components/units/api';
import { DelegationNotice } from './delegation-notice';
import { UserMenu } from './user-menu';

// The tree loads when it is shown (beside the screen on a wide screen, in the drawer on a phone), not before the
// screen's first rows.
const UnitTree = lazy(() => import('@/components/units/unit-tree').then((m) => ({ default: m.UnitTree })));
// The menu (Ant Design's) renders with the tree, never before the screen's first view (useSiderReady).
const unitMenu = preloadable(() => import('./unit-menu').then((m) => m.UnitMenu));
// A phone's drawer (the menu and the tree) loads when it is first opened: closed, it is code before the first rows.
const Drawer = lazy(() => import('antd/es/drawer'));

/** What a screen's route says of it (`handle`): `plain`, it draws its first view without Ant Design. */
export type ScreenHandle = { plain?: boolean };

/**
 * The members list is where an officer goes next on most visits: its code (and the page-load prefetch's, for when
 * it is opened as a page) is fetched once the first screen has been shown and the phone is idle. Opened later, the
 * list then waits only for its data: on slow 3G its eight small files took the connections its data needed.
 */
function useMembersListWarmedUp() {
  useEffect(() => whenIdle(() => {
    import('@/features/members/routes/members').catch(() => undefined);
    import('../prefetch').catch(() => undefined);
  }, 10_000, 3_000), []);
}

/**
 * Whether a wider screen's sider (the menu, the unit tree) may render: once the screen's first render is done and the
 * browser idles (on a desktop they were a large part of the task that rendered the first rows), and the menu's and
 * Ant Design's code has loaded, so that it renders at once rather than through a suspended boundary (lib/lazy.ts).
 */
function useSiderReady(mobile: boolean): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (mobile || ready) return undefined;
    let live = true;
    const cancel = whenIdle(() => {
      // Offline, it renders anyway: the menu's code then fails as a screen's would (the route's error page, a reload).
      void Promise.all([unitMenu.preload(), loadAntd()]).catch(() => undefined).then(() => live && setReady(true));
    }, 1_000);
    return () => {
      live = false;
      cancel();
    };
  }, [mobile, ready]);
  return ready;
}

export default function AppShell() {
  const { unitId } = useParams();
  const mobile = !useMedia('(min-width: 992px)'); // Ant Design's `lg`, where its grid shows the sider
  const plain = useMatches().some((match) => (match.handle as ScreenHandle | undefined)?.plain);
  const [drawer, setDrawer] = useState(false);
  const [drawerUsed, setDrawerUsed] = useState(false);
  const navigate = useNavigate();
  const location = useLocation();
  const me = useMe();
  useMembersListWarmedUp();
  const sider = useSiderReady(mobile);
  const roots = [...new Set((me.data?.grants ?? []).map((grant) => grant.unit_id))];

  const goTo = (id: string) => {
    setDrawer(false);
    // Stay on the same kind of screen (members, approvals…) in the unit chosen.
    const rest = unitId ? location.pathname.split(`/don-vi/${unitId}`)[1] ?? '' : '';
    const section = rest.split('/')[1];
    const keep = ['doan-vien', 'phe-duyet', 'chuyen-sinh-hoat', 'anh', 'nhap-excel', 'the', 'nguoi-dung', 'uy-quyen',
      'ban-giao', 'ung-dung', 'ngan-hang', 'nhat-ky', 'doan-phi', 'bao-cao'].includes(section ?? '');
    navigate(keep ? `/don-vi/${id}/${section}` : `/don-vi/${id}`);
  };

  const navigation = (
    <div className="app-sider-inner">
      {unitId && <unitMenu.Component unitId={unitId} onNavigate={() => setDrawer(false)} />}
      <h2 style={{ fontSize: 14, margin: '16px 4px 8px', color: 'rgba(0,0,0,0.68)' }}>Cây đơn vị</h2>
      <Suspense fallback={<SiderPlaceholder />}>
        {roots.length > 0 ? <UnitTree rootIds={roots} selectedId={unitId} onSelect={goTo} /> : <SiderPlaceholder />}
      </Suspense>
    </div>
  );

  // The screen is shown with the frame's own data (the breadcrumbs' chain, the user's roles), not before: a screen
  // drawn before them was pushed down by the breadcrumbs (and its buttons rewrapped) when they came, a phone's
  // whole list moving under the officer's finger. It renders hidden meanwhile, so its own data is asked for at once.
  const ancestors = useAncestors(unitId);
  const unit = useUnit(unitId);
  const frameReady = me.isFetched && (!unitId || (ancestors.isFetched && unit.isFetched));
  const waiting = <ScreenWaiting />;
  const siderWaiting = <div className="app-sider-inner" aria-busy="true"><SiderPlaceholder /></div>;
  // The same element on every render of the shell, so React leaves the screen alone when only the frame changes: the
  // frame's data comes in several answers, and on a slow phone each re-rendered the whole screen with it (the route's
  // own changes still reach the screen, through the router's context).
  const outlet = useMemo(() => <Suspense fallback={<ScreenWaiting />}><Outlet /></Suspense>, []);
  const screen = (
    <>
      {!frameReady && waiting}
      <div hidden={!frameReady}>{outlet}</div>
    </>
  );
  // Plain elements for the page's frame (app.css) rather than Ant Design's Layout: less to run before the first rows.
  return (
    <div className="app-root app-layout">
      <a className="visually-hidden" href="#main">Bỏ qua, đến nội dung chính</a>
      <header className="app-header">
        {mobile && (
          <button type="button" className="header-button" aria-label="Mở menu và cây đơn vị"
                  onClick={() => {
                    setDrawerUsed(true);
                    setDrawer(true);
                  }}>
            <MenuOutlined aria-hidden />
          </button>
        )}
        <Link to="/" className="app-title" style={{ color: '#fff' }}>Quản lý đoàn viên công đoàn</Link>
        <UserMenu />
      </header>
      <div className="app-body">
        {!mobile && (
          <aside className="app-sider">
            <nav aria-label="Menu và cây đơn vị">
              {sider ? <WithAntd fallback={siderWaiting}>{navigation}</WithAntd> : siderWaiting}
            </nav>
          </aside>
        )}
        {mobile && drawerUsed && (
          <WithAntd>
            <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={320}
                    title="Menu" styles={{ body: { padding: 0 } }}>
              <nav aria-label="Menu và cây đơn vị">{navigation}</nav>
            </Drawer>
          </WithAntd>
        )}
        <main className="app-content" id="main" tabIndex={-1}>
          {unitId && <UnitBreadcrumb unitId={unitId} />}
          <DelegationNotice unitId={unitId} />
          {plain ? screen : <WithAntd fallback={waiting}>{screen}</WithAntd>}
        </main>
      </div>
    </div>
  );
}

function UnitBreadcrumb({ unitId }: { unitId: string }) {
  const ancestors = useAncestors(unitId);
  const unit = useUnit(unitId);
  const items = [
    ...(ancestors.data ?? []).map((a) => ({ title: <Link to={`/don-vi/${a.unit_id}`}>{a.name}</Link>, key: a.unit_id })),
    ...(unit.data ? [{ title: <Link to={`/don-vi/${unitId}`}>{unit.data.name}</Link>, key: unitId }] : []),
  ];
  // Plain (app.css `.breadcrumb`), drawn like Ant Design's: it is part of every screen's first view.
  return (
    <nav aria-label="Đường dẫn" className="breadcrumb wrap-anywhere">
      <ol>
        {items.map((item) => <li key={item.key}>{item.title}</li>)}
      </ol>
    </nav>
  );
}

function ScreenWaiting() {
  return <div aria-busy="true"><SiderPlaceholder /></div>;
}

/** A place while its content waits (the sider's menu for the idle browser, a screen's code): grey lines (app.css). */
function SiderPlaceholder() {
  return (
    <>
      {[70, 55, 80, 60, 75, 50].map((width, index) => (
        <div key={index} className="skeleton-line" style={{ width: `${width}%` }} />
      ))}
    </>
  );
}
