import { lazy } from 'react';
import { WithAntd } from '@/components/with-antd';
import { useAccess } from '@/lib/access';

// Shown only to a delegate: its code loads then, not before every signed-in screen's first render.
const Alert = lazy(() => import('antd/es/alert'));

/** Acting under a delegation (uỷ quyền) is said plainly: every change is recorded as done on someone's behalf. */
export function DelegationNotice({ unitId }: { unitId: string | undefined }) {
  const access = useAccess(unitId);
  if (!unitId || !access.delegated) return null;
  return (
    <WithAntd>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title="Bạn đang làm việc theo ủy quyền"
        description="Một phần quyền của bạn tại đơn vị này được ủy quyền có thời hạn. Mọi thay đổi được ghi lại là thực hiện thay người ủy quyền."
      />
    </WithAntd>
  );
}
