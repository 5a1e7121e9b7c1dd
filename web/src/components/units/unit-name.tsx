import { Typography } from 'antd';
import { useUnit } from './api';

/** A unit's name from its id (cached: a list naming the same unit a hundred times asks once). */
export function UnitName({ unitId, withCode = false }: { unitId: string; withCode?: boolean }) {
  const unit = useUnit(unitId, 'low');
  if (unit.isPending) return <Typography.Text type="secondary">…</Typography.Text>;
  if (unit.isError) return <Typography.Text type="secondary">(đơn vị không xem được)</Typography.Text>;
  return (
    <>
      {unit.data.name}
      {withCode ? <Typography.Text type="secondary"> ({unit.data.code})</Typography.Text> : null}
    </>
  );
}
