/**
 * Chuyển sinh hoạt: transfers coming in to accept or decline, transfers going out (cancel before acceptance), the
 * history of both, and each one's letter (giấy giới thiệu) as PDF. A transfer starts on the member's page.
 */

import { App, Button, Input, Modal, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { download } from '@/lib/files';
import { formatDateTime } from '@/lib/format';
import { TRANSFER_STATUS } from '@/lib/labels';
import { type Direction, type Transfer, useCloseTransfer, useTransfers } from '../api/transfers';

export default function TransfersPage() {
  const { unitId } = useParams() as { unitId: string };
  const [direction, setDirection] = useState<Direction>('incoming');
  const [status, setStatus] = useState<Transfer['status'] | undefined>('released');
  const [declining, setDeclining] = useState<Transfer | null>(null);
  const pages = useCursorPages(`${direction}|${status}`);
  const transfers = useTransfers(direction, status, pages.after);
  const close = useCloseTransfer();
  const { message, modal } = App.useApp();

  useEffect(() => {
    document.title = 'Chuyển sinh hoạt — Quản lý đoàn viên';
  }, []);

  const accept = (transfer: Transfer) => modal.confirm({
    title: `Tiếp nhận ${transfer.full_name ?? 'đoàn viên'}?`,
    content: 'Đoàn viên chuyển sang sinh hoạt tại đơn vị của bạn, giữ nguyên mã đoàn viên và lịch sử.',
    okText: 'Tiếp nhận',
    cancelText: 'Không',
    onOk: async () => {
      try {
        await close.mutateAsync({ transferId: transfer.transfer_id, action: 'accept' });
        message.success('Đã tiếp nhận đoàn viên');
      } catch (error) {
        message.error(problemMessage(error));
      }
    },
  });

  return (
    <>
      <div className="page-header"><h1>Chuyển sinh hoạt</h1></div>
      <Typography.Paragraph type="secondary">
        Để chuyển một đoàn viên đi, mở hồ sơ đoàn viên và chọn “Chuyển sinh hoạt”.
      </Typography.Paragraph>
      <div className="toolbar">
        <Segmented<Direction> value={direction} onChange={setDirection}
                              options={[{ value: 'incoming', label: 'Chuyển đến' }, { value: 'outgoing', label: 'Chuyển đi' }]} />
        <Select allowClear placeholder="Mọi trạng thái" aria-label="Lọc theo trạng thái" style={{ width: 200 }}
                value={status} onChange={setStatus}
                options={Object.entries(TRANSFER_STATUS).map(([value, s]) => ({ value, label: s.label }))} />
      </div>
      {transfers.isError ? <ErrorState error={transfers.error} onRetry={transfers.refetch} /> : (
        <Table<Transfer>
          rowKey="transfer_id"
          size="middle"
          loading={transfers.isFetching}
          dataSource={transfers.data?.items ?? []}
          pagination={false}
          scroll={{ x: 980 }}
          locale={{ emptyText: direction === 'incoming' ? 'Không có đề nghị chuyển đến' : 'Không có đề nghị chuyển đi' }}
          columns={[
            { title: 'Đoàn viên', dataIndex: 'full_name', width: 200,
              render: (name, t) => <Link to={`/don-vi/${unitId}/doan-vien/${t.member_id}`}>{name ?? t.member_code}</Link> },
            { title: 'Mã đoàn viên', dataIndex: 'member_code', width: 130 },
            { title: 'Từ đơn vị', dataIndex: 'from_unit_id', render: (id) => <UnitName unitId={id} /> },
            { title: 'Đến đơn vị', dataIndex: 'to_unit_id', render: (id) => <UnitName unitId={id} /> },
            { title: 'Ngày giới thiệu', dataIndex: 'released_at', width: 150, render: formatDateTime },
            { title: 'Trạng thái', dataIndex: 'status', width: 150,
              render: (s: string, t) => (
                <>
                  <Tag color={TRANSFER_STATUS[s]?.color}>{TRANSFER_STATUS[s]?.label ?? s}</Tag>
                  {t.close_reason && <div className="wrap-anywhere">{t.close_reason}</div>}
                </>
              ) },
            { title: '', key: 'actions', width: 260, render: (_, t) => (
              <Space wrap size={4}>
                <Button size="small" onClick={() => void download(`/api/v1/members/transfers/${t.transfer_id}/letter.pdf`, {},
                                                                 `giay-gioi-thieu-${t.letter_number}.pdf`)
                  .catch((error) => message.error(problemMessage(error)))}>
                  Giấy giới thiệu
                </Button>
                {t.status === 'released' && direction === 'incoming' && (
                  <>
                    <Button size="small" type="primary" onClick={() => accept(t)}>Tiếp nhận</Button>
                    <Button size="small" danger onClick={() => setDeclining(t)}>Từ chối</Button>
                  </>
                )}
                {t.status === 'released' && direction === 'outgoing' && (
                  <Button size="small" danger onClick={() => setDeclining(t)}>Hủy</Button>
                )}
              </Space>
            ) },
          ]}
        />
      )}
      <CursorPager pages={pages} next={transfers.data?.next_cursor} />
      {declining && (
        <DeclineDialog transfer={declining} incoming={direction === 'incoming'} onClose={() => setDeclining(null)}
                       onDecline={async (reason) => {
                         await close.mutateAsync({ transferId: declining.transfer_id, action: 'cancel', reason });
                         message.success(direction === 'incoming' ? 'Đã từ chối tiếp nhận' : 'Đã hủy giới thiệu');
                         setDeclining(null);
                       }} />
      )}
    </>
  );
}

function DeclineDialog({ transfer, incoming, onClose, onDecline }: {
  transfer: Transfer; incoming: boolean; onClose: () => void; onDecline: (reason: string) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal open title={`${incoming ? 'Từ chối tiếp nhận' : 'Hủy giới thiệu'}: ${transfer.full_name ?? ''}`}
           okText={incoming ? 'Từ chối' : 'Hủy giới thiệu'} cancelText="Đóng" okButtonProps={{ danger: true }}
           confirmLoading={busy} onCancel={onClose}
           onOk={async () => {
             setBusy(true);
             setError(null);
             try {
               await onDecline(reason);
             } catch (failure) {
               setError(problemMessage(failure));
             } finally {
               setBusy(false);
             }
           }}>
      <label htmlFor="decline-reason">Lý do</label>
      <Input.TextArea id="decline-reason" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)}
                      status={error ? 'error' : undefined} />
      {error && <Typography.Text type="danger" role="alert">{error}</Typography.Text>}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        Đoàn viên tiếp tục sinh hoạt tại đơn vị đi.
      </Typography.Paragraph>
    </Modal>
  );
}
