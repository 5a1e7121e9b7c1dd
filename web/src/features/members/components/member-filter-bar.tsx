/**
 * The members list's filters (status, gender, card status, enterprise type, a unit of the subtree): Ant Design's
 * selects, loaded when the officer opens the filters (or the address names one), not before the first rows.
 */

import { Select } from 'antd';
import { lazy, Suspense } from 'react';
import { CARD_STATUS, ENTERPRISE_TYPE, GENDER, MEMBER_STATUS } from '@/lib/labels';
import type { Filters } from './member-filters';

const UnitPicker = lazy(() => import('@/components/units/unit-picker').then((m) => ({ default: m.UnitPicker })));

const options = (table: Record<string, string>) => Object.entries(table).map(([value, text]) => ({ value, label: text }));

export function MemberFilterBar({ unitId, filters, onChange: setFilters }: {
  unitId: string;
  filters: Filters;
  onChange: (change: Partial<Filters>) => void;
}) {
  return (
    <div className="toolbar" role="group" aria-label="Bộ lọc">
      <Select mode="multiple" allowClear placeholder="Trạng thái" aria-label="Lọc theo trạng thái"
              style={{ minWidth: 220 }} value={filters.status}
              options={Object.entries(MEMBER_STATUS).map(([value, s]) => ({ value, label: s.label }))}
              onChange={(status) => setFilters({ status })} />
      <Select allowClear placeholder="Giới tính" aria-label="Lọc theo giới tính" style={{ width: 130 }}
              value={filters.gender} options={options(GENDER)} onChange={(gender) => setFilters({ gender })} />
      <Select allowClear placeholder="Thẻ đoàn viên" aria-label="Lọc theo thẻ" style={{ width: 170 }}
              value={filters.card_status}
              options={options({ none: CARD_STATUS.none, requested: CARD_STATUS.requested, printed: CARD_STATUS.printed,
                                 delivered: CARD_STATUS.delivered })}
              onChange={(card_status) => setFilters({ card_status })} />
      <Select allowClear placeholder="Loại hình doanh nghiệp" aria-label="Lọc theo loại hình doanh nghiệp"
              style={{ width: 260 }} value={filters.enterprise_type} options={options(ENTERPRISE_TYPE)}
              onChange={(enterprise_type) => setFilters({ enterprise_type })} />
      <div style={{ minWidth: 240, flex: '1 1 240px' }}>
        <Suspense fallback={null}>
          <UnitPicker rootIds={[unitId]} value={filters.unit} allowClear placeholder="Đơn vị trực thuộc"
                      onChange={(unit) => setFilters({ unit })} />
        </Suspense>
      </div>
    </div>
  );
}
