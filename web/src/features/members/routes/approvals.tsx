/**
 * Phê duyệt: the pending members of the subtree for an approver. Approve or reject one, a selection, or every
 * pending member matching the filter (one bulk decision, whatever its size); issued member codes are shown.
 */

import { App, Button, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitPicker } from '@/components/units/unit-picker';
import { formatDate, formatNumber } from '@/lib/format';
import { GENDER, label } from '@/lib/labels';
import { type MemberRow, useBulkDecision, useMemberSearch } from '../api/members';
import { RejectDialog } from '../components/bulk-actions';

export default function ApprovalsPage() {
  const { unitId } = useParams() as { unitId: string };
  const [unit, setUnit] = useState<string | undefined>();
  const [selected, setSelected] = useState<MemberRow[]>([]);
  const [rejecting, setRejecting] = useState<'selected' | 'all' | null>(null);
  const [issued, setIssued] = useState<MemberRow[]>([]);
  const { message, modal } = App.useApp();
  const decide = useBulkDecision();
  const scopeUnit = unit ?? unitId;

  const pages = useCursorPages(scopeUnit);
  useEffect(() => setSelected([]), [scopeUnit]);
  useEffect(() => {
    document.title = 'Phê duyệt đoàn viên — Quản lý đoàn viên';
  }, []);

  const search = useMemberSearch({ unit_id: scopeUnit, status: ['pending'], sort: 'newest', limit: 50,
                                   after: pages.after });
  const rows = search.data?.items ?? [];

  const decideOn = async (decision: 'approve' | 'reject', which: 'selected' | 'all', reason?: string) => {
    const ids = which === 'selected' ? selected.map((row) => row.member_id) : undefined;
    const outcome = await decide.mutateAsync({
      decision, unit_id: scopeUnit, reason, member_ids: ids,
    });
    message.success(`${decision === 'approve' ? 'Đã phê duyệt' : 'Đã từ chối'} ${formatNumber(outcome.decided)} đoàn viên`);
    if (decision === 'approve') {
      const approved = await searchIssued(which === 'selected' ? selected : null);
      setIssued(approved);
    }
    setSelected([]);
    pages.reset();
  };

  // The codes just issued: the approved members, newest first (those selected, or the latest approvals).
  const issuedSearch = useMemberSearch({ unit_id: scopeUnit, status: ['active'], sort: 'newest', limit: 20 });
  const searchIssued = async (chosen: MemberRow[] | null) => {
    const fresh = await issuedSearch.refetch();
    const items = fresh.data?.items ?? [];
    return chosen ? items.filter((row) => chosen.some((c) => c.member_id === row.member_id)) : items;
  };

  const confirmApprove = (which: 'selected' | 'all') => modal.confirm({
    title: which === 'selected' ? `Phê duyệt ${formatNumber(selected.length)} đoàn viên đã chọn?`
      : 'Phê duyệt toàn bộ đoàn viên chờ duyệt khớp bộ lọc?',
    content: 'Mỗi đoàn viên được cấp mã đoàn viên. Không thể hoàn tác.',
    okText: 'Phê duyệt',
    cancelText: 'Không',
    onOk: async () => {
      try {
        await decideOn('approve', which);
      } catch (error) {
        message.error(problemMessage(error));
      }
    },
  });

  return (
    <>
      <div className="page-header"><h1>Phê duyệt đoàn viên</h1></div>
      <div className="toolbar">
        <div style={{ minWidth: 260, flex: '1 1 260px' }}>
          <UnitPicker rootIds={[unitId]} value={unit} allowClear placeholder="Tất cả đơn vị trực thuộc" onChange={setUnit} />
        </div>
      </div>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button type="primary" disabled={selected.length === 0} onClick={() => confirmApprove('selected')}>
          Phê duyệt đã chọn ({formatNumber(selected.length)})
        </Button>
        <Button danger disabled={selected.length === 0} onClick={() => setRejecting('selected')}>Từ chối đã chọn</Button>
        <Button disabled={rows.length === 0} onClick={() => confirmApprove('all')}>Phê duyệt tất cả khớp bộ lọc</Button>
        <Button danger disabled={rows.length === 0} onClick={() => setRejecting('all')}>Từ chối tất cả khớp bộ lọc</Button>
      </Space>
      {search.isError ? <ErrorState error={search.error} onRetry={search.refetch} /> : (
        <Table<MemberRow>
          rowKey="member_id"
          size="middle"
          loading={search.isFetching}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 760 }}
          rowSelection={{ selectedRowKeys: selected.map((r) => r.member_id), onChange: (_, chosen) => setSelected(chosen),
                          preserveSelectedRowKeys: true }}
          locale={{ emptyText: 'Không có đoàn viên nào chờ phê duyệt' }}
          columns={[
            { title: 'Họ và tên', dataIndex: 'full_name',
              render: (name, row) => <Link to={`/don-vi/${unitId}/doan-vien/${row.member_id}`}>{name}</Link> },
            { title: 'Giới tính', dataIndex: 'gender', width: 90, render: (g) => label(GENDER, g) },
            { title: 'Ngày sinh', dataIndex: 'date_of_birth', width: 120, render: formatDate },
            { title: 'Đơn vị', dataIndex: 'unit_name' },
            { title: 'Trạng thái', key: 'status', width: 110, render: () => <Tag color="gold">Chờ duyệt</Tag> },
          ]}
        />
      )}
      <CursorPager pages={pages} next={search.data?.next_cursor} />
      {issued.length > 0 && (
        <div style={{ marginTop: 24 }}>
          <Typography.Title level={2} style={{ fontSize: 16 }}>Mã đoàn viên vừa cấp</Typography.Title>
          <Table<MemberRow> rowKey="member_id" size="small" pagination={false} dataSource={issued}
                            columns={[{ title: 'Họ và tên', dataIndex: 'full_name' },
                                      { title: 'Mã đoàn viên', dataIndex: 'member_code' },
                                      { title: 'Đơn vị', dataIndex: 'unit_name' }]} />
        </div>
      )}
      {rejecting && (
        <RejectDialog count={rejecting === 'selected' ? selected.length : undefined} onClose={() => setRejecting(null)}
                      onReject={async (reason) => {
                        await decideOn('reject', rejecting, reason);
                        setRejecting(null);
                      }} />
      )}
    </>
  );
}
