/**
 * Nợ đoàn phí: the members of the unit and its subtree who owe dues (the months and the amounts, from each month's
 * policy and the member's salary basis), with the subtree's totals and the list as .xlsx.
 */

import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Row, Statistic, Table } from 'antd';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { download } from '@/lib/files';
import { formatNumber } from '@/lib/format';
import { type MemberArrears, useArrears, useArrearsSummary } from '../api/upper-level';
import { DuesNav, monthText } from '../components/dues-nav';

export default function ArrearsPage() {
  const { unitId } = useParams() as { unitId: string };
  const { message } = App.useApp();
  const summary = useArrearsSummary(unitId);
  const pages = useCursorPages(unitId);
  const arrears = useArrears(unitId, pages.after);
  useEffect(() => {
    document.title = 'Nợ đoàn phí — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header">
        <h1>Nợ đoàn phí</h1>
        <Button icon={<DownloadOutlined aria-hidden />}
                onClick={() => void download('/api/v1/dues/arrears/export.xlsx', { unit_id: unitId }, 'no-doan-phi.xlsx')
                  .catch((e) => message.error(problemMessage(e)))}>
          Tải danh sách nợ (.xlsx)
        </Button>
      </div>
      <DuesNav unitId={unitId} />
      <p style={{ marginTop: 0 }}>Đoàn viên hiện thuộc <UnitName unitId={unitId} /> và các đơn vị trực thuộc.</p>
      {summary.isError ? <ErrorState error={summary.error} onRetry={summary.refetch} /> : (
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          {([['Đoàn viên đang nợ', summary.data?.members_owing], ['Tổng số tháng nợ', summary.data?.months_owed],
             ['Số tiền nợ (đồng)', summary.data?.owed_vnd]] as const).map(([title, value]) => (
            <Col xs={24} sm={8} key={title}>
              <Card size="small" loading={summary.isPending}>
                <Statistic title={title} value={value === undefined ? '—' : formatNumber(value)} />
              </Card>
            </Col>
          ))}
        </Row>
      )}
      {arrears.isError ? <ErrorState error={arrears.error} onRetry={arrears.refetch} /> : (
        <>
          <Table<MemberArrears>
            rowKey="member_id" size="small" pagination={false} loading={arrears.isFetching} scroll={{ x: 900 }}
            dataSource={arrears.data?.items ?? []}
            locale={{ emptyText: 'Không có đoàn viên nào nợ đoàn phí' }}
            columns={[
              { title: 'Họ và tên', dataIndex: 'full_name', width: 200 },
              { title: 'Mã đoàn viên', dataIndex: 'member_code', width: 130 },
              { title: 'Đơn vị', dataIndex: 'unit_id', width: 240, render: (id: string) => <UnitName unitId={id} /> },
              { title: 'Từ tháng', dataIndex: 'first_month', width: 100, render: monthText },
              { title: 'Đến tháng', dataIndex: 'last_month', width: 100, render: monthText },
              { title: 'Số tháng nợ', dataIndex: 'months_owed', width: 110, align: 'right', render: formatNumber },
              { title: 'Số tiền nợ (đồng)', dataIndex: 'owed_vnd', width: 150, align: 'right', render: formatNumber },
            ]}
          />
          <CursorPager pages={pages} next={arrears.data?.next_cursor} />
        </>
      )}
    </>
  );
}
