import { lazy, useEffect } from 'react';
import { Navigate } from 'react-router';
import { FullPageSpin } from '@/components/full-page-spin';
import { WithAntd } from '@/components/with-antd';
import { useMe } from '@/lib/access';

const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));

// Where this sends the user, fetched while `me` is on its way rather than after it: on a slow phone, a round trip.
void import('@/features/units/routes/unit');

/** `/`, where signing in leads: the first unit where the user holds a role (a plain screen, like the one it opens). */
export default function Home() {
  const me = useMe();
  useEffect(() => {
    document.title = 'Quản lý đoàn viên công đoàn';
  }, []);
  if (me.isPending) return <FullPageSpin />;
  if (me.isError) return <WithAntd><ErrorState error={me.error} onRetry={me.refetch} /></WithAntd>;
  const first = me.data.grants[0]?.unit_id ?? me.data.home_unit_id;
  return <Navigate to={`/don-vi/${first}`} replace />;
}
