/**
 * Đơn vị: a unit's details, its children with their members, the tree as of a day, and (for an administrator) what
 * can be done to it. The page the app lands on after signing in, so a plain screen (app/layout/shell.tsx): its
 * first view is plain HTML, and Ant Design's table takes over the children's rows after them
 * (components/progressive-table.tsx). On a slow phone this page on Ant Design was ~0.5 MB of code, fetched in two
 * rounds (Ant Design's provider, then the page's components), 12 s after signing in before anything showed. The
 * actions load with Ant Design's provider once the page is shown and the browser idles, the tree as of a day when
 * its tab is opened.
 */

import { lazy, type ReactNode, Suspense, useEffect, useRef } from 'react';
import { Link, useParams } from 'react-router';
import { PlainTabs } from '@/components/plain-tabs';
import { useTakeOver } from '@/components/progressive-table';
import { useUnit } from '@/components/units/api';
import { UnitName } from '@/components/units/unit-name';
import { afterFirstView, WithAntd } from '@/components/with-antd';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { formatDate, formatNumber } from '@/lib/format';
import { ENTERPRISE_TYPE, label } from '@/lib/labels';
import { useUnitTypes } from '../api/units';
import { ChildrenTable, UnitStatus } from '../components/children-table';

const actions = afterFirstView(() => import('../components/unit-actions').then((module) => module.UnitActions));
const TreeAsOf = lazy(() => import('../components/tree-as-of').then((m) => ({ default: m.TreeAsOf })));
const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));

const spinner = <div className="full-page-spin" aria-busy="true" style={{ minHeight: 120 }}><div className="css-spinner" /></div>;

export default function UnitPage() {
  const { unitId } = useParams() as { unitId: string };
  const unit = useUnit(unitId);
  const access = useAccess(unitId);
  const types = useUnitTypes();
  const typeNames = new Map((types.data ?? []).map((type) => [type.code, type.name_vi]));
  const actionsBox = useRef<HTMLDivElement>(null);
  const canWrite = access.can(PERMISSIONS.unitsWrite);
  const UnitActions = useTakeOver(actions.load, actions.loaded, canWrite && unit.data !== undefined, actionsBox);

  useEffect(() => {
    if (unit.data) document.title = `${unit.data.name} — Quản lý đoàn viên`;
  }, [unit.data]);

  if (unit.isError) return <WithAntd><ErrorState error={unit.error} onRetry={unit.refetch} /></WithAntd>;
  if (!unit.data) return spinner;
  const data = unit.data;
  return (
    <>
      <div className="page-header">
        <h1 className="wrap-anywhere">{data.name}</h1>
        <div ref={actionsBox}>
          {canWrite && UnitActions && <WithAntd><UnitActions unit={data} /></WithAntd>}
        </div>
      </div>
      <section className="plain-card" aria-label="Thông tin đơn vị">
        <dl className="plain-card-body plain-details">
          <Detail label="Mã đơn vị">{data.code}</Detail>
          <Detail label="Loại">{data.type_name}</Detail>
          <Detail label="Trạng thái"><UnitStatus status={data.status} /></Detail>
          <Detail label="Hiệu lực từ">{formatDate(data.effective_from)}</Detail>
          {data.short_name && <Detail label="Tên viết tắt">{data.short_name}</Detail>}
          {data.address && <Detail label="Địa chỉ">{data.address}</Detail>}
          {data.employer?.name && <Detail label="Doanh nghiệp">{data.employer.name}</Detail>}
          {data.employer?.enterprise_type && (
            <Detail label="Loại hình">{label(ENTERPRISE_TYPE, data.employer.enterprise_type)}</Detail>
          )}
          {data.employer?.workforce_size != null && (
            <Detail label="Số lao động">{formatNumber(data.employer.workforce_size)}</Detail>
          )}
          {data.merged_into_id && (
            <Detail label="Đã sáp nhập vào">
              <Link to={`/don-vi/${data.merged_into_id}`}><UnitName unitId={data.merged_into_id} /></Link>
            </Detail>
          )}
        </dl>
      </section>
      <section className="plain-card" aria-label="Cơ cấu tổ chức">
        <div className="plain-card-body">
          <PlainTabs label="Cơ cấu tổ chức" items={[
            {
              key: 'children',
              label: 'Đơn vị trực thuộc',
              children: <ChildrenTable unitId={unitId} typeNames={typeNames} showCounts={access.can(PERMISSIONS.reportsRead)} />,
            },
            {
              key: 'as-of',
              label: 'Cơ cấu tại một ngày',
              children: <WithAntd fallback={spinner}><Suspense fallback={spinner}><TreeAsOf unitId={unitId} /></Suspense></WithAntd>,
            },
          ]} />
          {access.can(PERMISSIONS.membersRead) && (
            <p style={{ marginTop: 8, marginBottom: 0 }}>
              <Link to={`/don-vi/${unitId}/doan-vien`}>Xem đoàn viên của đơn vị và các đơn vị trực thuộc →</Link>
            </p>
          )}
        </div>
      </section>
    </>
  );
}

function Detail({ label: term, children }: { label: string; children: ReactNode }) {
  return <div><dt>{term}</dt><dd>{children}</dd></div>;
}
