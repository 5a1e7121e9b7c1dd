/** What can be done to the members selected in a list: approve or reject the pending ones, request cards. */

import { Alert, App, Button, Form, Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { problemMessage } from '@/components/query-state';
import { type Access, PERMISSIONS } from '@/lib/access';
import { formatNumber } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { type MemberRow, useBulkDecision, useRequestCards } from '../api/members';

export function BulkActions({ unitId, selected, access, onDone }: {
  unitId: string;
  selected: MemberRow[];
  access: Access;
  onDone: () => void;
}) {
  const { message, modal } = App.useApp();
  const decide = useBulkDecision();
  const cards = useRequestCards();
  const [rejecting, setRejecting] = useState(false);
  const pending = selected.filter((row) => row.status === 'pending');
  const active = selected.filter((row) => row.status === 'active');

  const approve = () => modal.confirm({
    title: `Phê duyệt ${formatNumber(pending.length)} đoàn viên?`,
    content: 'Mỗi đoàn viên được cấp mã đoàn viên. Không thể hoàn tác.',
    okText: 'Phê duyệt',
    cancelText: 'Không',
    onOk: async () => {
      try {
        const outcome = await decide.mutateAsync({ decision: 'approve', unit_id: unitId,
                                                    member_ids: pending.map((row) => row.member_id) });
        message.success(`Đã phê duyệt ${formatNumber(outcome.decided)} đoàn viên`);
        onDone();
      } catch (error) {
        message.error(problemMessage(error));
      }
    },
  });

  const requestCards = async (kind: 'regular' | 'linked') => {
    try {
      const outcome = await cards.mutateAsync({ member_ids: active.map((row) => row.member_id), kind });
      message.success(`Đã đề nghị in ${formatNumber(outcome.requested)} thẻ`);
      onDone();
    } catch (error) {
      const details = error instanceof ApiProblem ? error.body.errors?.map((e) => e.message_vi).filter(Boolean) : [];
      modal.error({ title: problemMessage(error), content: details?.length ? (
        <ul>{[...new Set(details)].slice(0, 10).map((d) => <li key={d}>{d}</li>)}</ul>
      ) : undefined });
    }
  };

  return (
    <>
    <Alert
      type="info"
      style={{ marginBottom: 12 }}
      title={`Đã chọn ${formatNumber(selected.length)} đoàn viên`}
      action={(
        <Space wrap>
          {access.can(PERMISSIONS.membersApprove) && pending.length > 0 && (
            <>
              <Button type="primary" size="small" onClick={approve}>Phê duyệt ({pending.length})</Button>
              <Button size="small" danger onClick={() => setRejecting(true)}>Từ chối ({pending.length})</Button>
            </>
          )}
          {access.can(PERMISSIONS.cardsOrder) && active.length > 0 && (
            <Select<string>
              size="small"
              placeholder={`Đề nghị in thẻ (${active.length})`}
              aria-label="Đề nghị in thẻ cho các đoàn viên đang sinh hoạt đã chọn"
              style={{ width: 220 }}
              value={null as unknown as string}
              options={[{ value: 'regular', label: 'Thẻ thường' }, { value: 'linked', label: 'Thẻ liên kết ngân hàng' }]}
              onChange={(kind) => void requestCards(kind as 'regular' | 'linked')}
            />
          )}
          <Button size="small" onClick={onDone}>Bỏ chọn</Button>
        </Space>
      )}
    />
      {rejecting && (
        <RejectDialog count={pending.length} onClose={() => setRejecting(false)} onReject={async (reason) => {
          const outcome = await decide.mutateAsync({ decision: 'reject', unit_id: unitId, reason,
                                                      member_ids: pending.map((row) => row.member_id) });
          message.success(`Đã từ chối ${formatNumber(outcome.decided)} đoàn viên`);
          setRejecting(false);
          onDone();
        }} />
      )}
    </>
  );
}

export function RejectDialog({ count, onClose, onReject }: {
  /** Undefined: every pending member matching the filter. */
  count?: number;
  onClose: () => void;
  onReject: (reason: string) => Promise<void>;
}) {
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal open title={count === undefined ? 'Từ chối toàn bộ đoàn viên chờ duyệt khớp bộ lọc' : `Từ chối ${formatNumber(count)} đoàn viên`} okText="Từ chối" okButtonProps={{ danger: true }}
           confirmLoading={busy} onCancel={onClose} onOk={() => form.submit()} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={async ({ reason }) => {
        setBusy(true);
        setError(null);
        try {
          await onReject(reason);
        } catch (failure) {
          setError(problemMessage(failure));
        } finally {
          setBusy(false);
        }
      }}>
        <Form.Item name="reason" label="Lý do từ chối" rules={[{ required: true, min: 3, message: 'Nhập lý do (ít nhất 3 ký tự)' }]}>
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
