import { useEffect } from 'react';
import { Navigate } from 'react-router';
import { ErrorState } from '@/components/query-state';
import { useMe } from '@/lib/access';
import { FullPageSpin } from '@/components/full-page-spin';

/** `/`: the first unit where the user holds a role. */
export default function Home() {
  const me = useMe();
  useEffect(() => {
    document.title = 'Quản lý đoàn viên công đoàn';
  }, []);
  if (me.isPending) return <FullPageSpin />;
  if (me.isError) return <ErrorState error={me.error} onRetry={me.refetch} />;
  const first = me.data.grants[0]?.unit_id ?? me.data.home_unit_id;
  return <Navigate to={`/don-vi/${first}`} replace />;
}
