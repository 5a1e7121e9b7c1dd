/**
 * Nhật ký kiểm tra: every service's audit trail within the user's subtrees, merged newest first by the gateway,
 * filtered by unit, actor, action, outcome, period and request id. When a service does not answer, the page says
 * whose entries are missing instead of pretending the list is complete.
 */

import type { FormInstance } from 'antd';
import { lazy, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ProgressiveTable, type TableColumn, useTakeOver } from '@/components/progressive-table';
import { UnitName } from '@/components/units/unit-name';
import { afterFirstView, WithAntd } from '@/components/with-antd';
import { formatDateTimeSeconds } from '@/lib/format';
import { label } from '@/lib/labels';
import { ApiProblem } from '@/lib/problem';
import { type AuditEntry, type AuditQuery, FIRST_PAGE, useAudit } from '../api/audit';
import { auditQuery, type Values } from '../components/audit-query';
import { OUTCOME, SERVICE } from '../components/labels';

// A plain screen (app/layout/shell.tsx): on a slow phone the first rows wait for no Ant Design. The filters (the unit
// picker, the date range, the select: the screen's largest code) load with Ant Design's provider once the rows are
// shown and the browser idles, in a placeholder of their size; what shows only when something went wrong loads when
// it does. The rows' cells are plain elements: fifty of Ant Design's buttons took a phone's main thread ~1 s.
const filterForm = afterFirstView(() => import('../components/audit-filters').then((module) => module.default));
const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));
const MissingServices = lazy(() => import('../components/missing-services').then((m) => ({ default: m.MissingServices })));

export default function AuditTrailPage() {
  const { unitId } = useParams() as { unitId: string };
  const [filters, setFilters] = useState<AuditQuery>({});
  // The values the form starts with when it loads after a request id was clicked (it was not there to take it).
  const [seed, setSeed] = useState<Values>({});
  const form = useRef<FormInstance<Values> | null>(null);
  const filterBox = useRef<HTMLDivElement>(null);
  const pages = useCursorPages(`${unitId}|${JSON.stringify(filters)}`);
  const audit = useAudit({ ...filters, after: pages.after, limit: FIRST_PAGE });
  const AuditFilters = useTakeOver(filterForm.load, filterForm.loaded, audit.data !== undefined || audit.isError, filterBox);
  useEffect(() => {
    document.title = 'Nhật ký kiểm tra — Quản lý đoàn viên';
  }, []);
  const refused = audit.error instanceof ApiProblem && audit.error.status < 500 && !audit.error.isNetwork;
  const missing = audit.data?.missing_services ?? [];

  const filterByRequest = (id: string) => {
    if (form.current) {
      form.current.setFieldValue('request_id', id);
      setFilters(auditQuery(form.current.getFieldsValue()));
    } else {
      setSeed({ request_id: id });
      setFilters({ ...filters, request_id: id });
    }
  };
  const columns: TableColumn<AuditEntry>[] = [
    { key: 'occurred_at', title: 'Thời điểm', width: 160,
      // Not toLocaleString: it builds a locale's formatter per call, ~0.3 s of a phone's CPU for a page of 50.
      render: (e) => formatDateTimeSeconds(e.occurred_at) },
    { key: 'username', title: 'Người thực hiện', width: 170,
      render: (e) => (
        <>{e.username ?? <span className="muted">(không đăng nhập)</span>}
          {e.delegation_id || e.acting_for ? <span className="status-tag" style={{ marginInlineStart: 6 }}>Theo ủy quyền</span> : null}</>
      ) },
    { key: 'action', title: 'Thao tác', width: 300, render: (e) => <code className="wrap-anywhere">{e.action}</code> },
    { key: 'service', title: 'Dịch vụ', width: 150, render: (e) => label(SERVICE, e.service) },
    { key: 'target', title: 'Đối tượng', width: 200, render: (e) => <span className="wrap-anywhere">{e.target}</span> },
    { key: 'unit_id', title: 'Đơn vị', width: 220, render: (e) => (e.unit_id ? <UnitName unitId={e.unit_id} /> : null) },
    { key: 'outcome', title: 'Kết quả', width: 150,
      render: (e) => <span className={`status-tag ${OUTCOME[e.outcome]?.color ?? ''}`}>{OUTCOME[e.outcome]?.label ?? e.outcome} ({e.status})</span> },
    { key: 'request_id', title: 'Mã yêu cầu', width: 200,
      render: (e) => e.request_id && (
        <button type="button" className="cell-link wrap-anywhere" title="Lọc theo mã yêu cầu này"
                onClick={() => filterByRequest(e.request_id as string)}>{e.request_id}</button>
      ) },
    { key: 'client_ip', title: 'Địa chỉ IP', width: 130, render: (e) => e.client_ip },
  ];

  return (
    <>
      <div className="page-header">
        <h1>Nhật ký kiểm tra</h1>
        <Link to={`/don-vi/${unitId}/nhat-ky/du-lieu-ca-nhan`}>Nhật ký truy cập dữ liệu cá nhân</Link>
      </div>
      <div ref={filterBox}>
        {AuditFilters ? (
          <WithAntd fallback={<FiltersPlaceholder />}>
            <AuditFilters error={audit.error} initialValues={seed} formRef={form}
                          onFilter={(values) => setFilters(auditQuery(values))} />
          </WithAntd>
        ) : <FiltersPlaceholder />}
      </div>
      {missing.length > 0 && (
        <WithAntd><MissingServices services={missing} onRetry={() => void audit.refetch()} /></WithAntd>
      )}
      {audit.isError && !refused ? (
        <WithAntd><ErrorState error={audit.error} onRetry={audit.refetch} /></WithAntd>
      ) : (
        <ProgressiveTable<AuditEntry> caption="Nhật ký kiểm tra" columns={columns} rowKey={(e) => `${e.service}-${e.id}`}
                                      rows={refused ? [] : audit.data?.items} busy={audit.isFetching}
                                      emptyText="Không có mục nào khớp bộ lọc" minWidth={1300}
                                      deferTakeOver={AuditFilters === undefined} />
      )}
      <CursorPager pages={pages} next={audit.data?.next_cursor} />
    </>
  );
}

/** Where the filters come, their size (six fields and the button), so nothing moves when they do. */
function FiltersPlaceholder() {
  return (
    <div aria-hidden="true">
      <div className="filter-grid">
        {Array.from({ length: 6 }, (_, i) => <div key={i} className="filter-placeholder" />)}
      </div>
      <div className="filter-placeholder-button" />
    </div>
  );
}
