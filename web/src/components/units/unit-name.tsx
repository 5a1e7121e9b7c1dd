import { useUnit } from './api';

/**
 * A unit's name from its id (cached: a list naming the same unit a hundred times asks once). Plain elements
 * (app.css `.muted`): it is in the first rows of plain screens, drawn before any Ant Design has loaded.
 */
export function UnitName({ unitId, withCode = false }: { unitId: string; withCode?: boolean }) {
  const unit = useUnit(unitId, 'low');
  if (unit.isPending) return <span className="muted">…</span>;
  if (unit.isError) return <span className="muted">(đơn vị không xem được)</span>;
  return (
    <>
      {unit.data.name}
      {withCode ? <span className="muted"> ({unit.data.code})</span> : null}
    </>
  );
}
