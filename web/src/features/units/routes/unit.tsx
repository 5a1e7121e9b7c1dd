/** Một đơn vị: its details, its children with their members, what an administrator may change, its past tree. */

import { Card, Descriptions, Space, Tabs, Tag } from 'antd';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { useUnit } from '@/components/units/api';
import { UnitName } from '@/components/units/unit-name';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { formatDate, formatNumber } from '@/lib/format';
import { ENTERPRISE_TYPE, label, UNIT_STATUS } from '@/lib/labels';
import { useUnitTypes } from '../api/units';
import { ChildrenTable } from '../components/children-table';
import { TreeAsOf } from '../components/tree-as-of';
import { UnitActions } from '../components/unit-actions';

export default function UnitPage() {
  const { unitId } = useParams() as { unitId: string };
  const unit = useUnit(unitId);
  const access = useAccess(unitId);
  const types = useUnitTypes();
  const typeNames = new Map((types.data ?? []).map((type) => [type.code, type.name_vi]));

  useEffect(() => {
    if (unit.data) document.title = `${unit.data.name} — Quản lý đoàn viên`;
  }, [unit.data]);

  return (
    <QueryState query={unit}>
      {unit.data && (
        <>
          <div className="page-header">
            <h1 className="wrap-anywhere">{unit.data.name}</h1>
            {access.can(PERMISSIONS.unitsWrite) && <UnitActions unit={unit.data} />}
          </div>
          <Card style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label="Mã đơn vị">{unit.data.code}</Descriptions.Item>
              <Descriptions.Item label="Loại">{unit.data.type_name}</Descriptions.Item>
              <Descriptions.Item label="Trạng thái">
                <Tag color={UNIT_STATUS[unit.data.status]?.color}>{UNIT_STATUS[unit.data.status]?.label}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label="Hiệu lực từ">{formatDate(unit.data.effective_from)}</Descriptions.Item>
              {unit.data.short_name && <Descriptions.Item label="Tên viết tắt">{unit.data.short_name}</Descriptions.Item>}
              {unit.data.address && <Descriptions.Item label="Địa chỉ">{unit.data.address}</Descriptions.Item>}
              {unit.data.employer?.name && (
                <Descriptions.Item label="Doanh nghiệp">{unit.data.employer.name}</Descriptions.Item>
              )}
              {unit.data.employer?.enterprise_type && (
                <Descriptions.Item label="Loại hình">{label(ENTERPRISE_TYPE, unit.data.employer.enterprise_type)}</Descriptions.Item>
              )}
              {unit.data.employer?.workforce_size != null && (
                <Descriptions.Item label="Số lao động">{formatNumber(unit.data.employer.workforce_size)}</Descriptions.Item>
              )}
              {unit.data.merged_into_id && (
                <Descriptions.Item label="Đã sáp nhập vào">
                  <Link to={`/don-vi/${unit.data.merged_into_id}`}><UnitName unitId={unit.data.merged_into_id} /></Link>
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Card>
            <Tabs
              items={[
                {
                  key: 'children',
                  label: 'Đơn vị trực thuộc',
                  children: (
                    <ChildrenTable unitId={unitId} typeNames={typeNames}
                                   showCounts={access.can(PERMISSIONS.reportsRead)} />
                  ),
                },
                { key: 'as-of', label: 'Cơ cấu tại một ngày', children: <TreeAsOf unitId={unitId} /> },
              ]}
            />
            {access.can(PERMISSIONS.membersRead) && (
              <Space style={{ marginTop: 8 }}>
                <Link to={`/don-vi/${unitId}/doan-vien`}>Xem đoàn viên của đơn vị và các đơn vị trực thuộc →</Link>
              </Space>
            )}
          </Card>
        </>
      )}
    </QueryState>
  );
}
