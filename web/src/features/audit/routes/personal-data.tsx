/**
 * Nhật ký truy cập dữ liệu cá nhân: who read whose unmasked personal data, and when (a member's record with the ID
 * number, ethnicity and religion in the clear; an export of the list, with its filter and row count), within the
 * administrator's subtrees. The services keep these reads in their audit trails; the gateway merges them.
 */

import { SearchOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { UnitPicker } from '@/components/units/unit-picker';
import { showOnForm } from '@/lib/forms';
import { DATE_FORMAT, formatDateTime, formatNumber } from '@/lib/format';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import { type AuditEntry, type AuditQuery, useAudit } from '../api/audit';
import { auditQuery, type Values } from '../components/audit-query';
import { OUTCOME } from '../components/labels';
import { MissingServices } from '../components/missing-services';
import { describeRead } from '../components/personal-read';

export default function PersonalDataLogPage() {
  const { unitId } = useParams() as { unitId: string };
  const [form] = Form.useForm<Values>();
  const [filters, setFilters] = useState<AuditQuery>({});
  const [problem, setProblem] = useState<string[]>([]);
  const pages = useCursorPages(`${unitId}|${JSON.stringify(filters)}`);
  const log = useAudit({ ...filters, kind: 'read', after: pages.after, limit: 50 });
  const refused = log.error instanceof ApiProblem && log.error.status < 500 && !log.error.isNetwork;
  useEffect(() => {
    document.title = 'Nhật ký truy cập dữ liệu cá nhân — Quản lý đoàn viên';
  }, []);
  useEffect(() => {
    setProblem(refused ? showOnForm(form, withFieldNames(log.error, (f) => (['since', 'until'].includes(f) ? 'period' : f))) : []);
  }, [log.error, refused, form]);
  return (
    <>
      <div className="page-header">
        <h1>Nhật ký truy cập dữ liệu cá nhân</h1>
        <Link to={`/don-vi/${unitId}/nhat-ky`}>Toàn bộ nhật ký kiểm tra</Link>
      </div>
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        Ai đã xem thông tin cá nhân không che (số CCCD, dân tộc, tôn giáo) của đoàn viên nào, hoặc xuất danh sách
        đoàn viên, vào lúc nào.
      </Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(values) => setFilters(auditQuery(values))}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="unit_id" label="Đơn vị của đoàn viên">
            <UnitPicker allowClear placeholder="Mọi đơn vị được xem" />
          </Form.Item>
          <Form.Item name="actor" label="Người xem"><Input placeholder="Tên đăng nhập" maxLength={200} /></Form.Item>
          <Form.Item name="period" label="Khoảng thời gian">
            <DatePicker.RangePicker format={DATE_FORMAT} style={{ width: '100%' }} placeholder={['Từ ngày', 'Đến ngày']} />
          </Form.Item>
        </div>
        <Button type="primary" htmlType="submit" icon={<SearchOutlined aria-hidden />} style={{ marginBottom: 16 }}>Lọc</Button>
      </Form>
      <MissingServices services={log.data?.missing_services ?? []} onRetry={() => void log.refetch()} />
      {log.isError && !refused ? <ErrorState error={log.error} onRetry={log.refetch} /> : (
        <Table<AuditEntry>
          rowKey={(e) => `${e.service}-${e.id}`} size="small" loading={log.isFetching} pagination={false}
          dataSource={refused ? [] : log.data?.items ?? []} scroll={{ x: 1000 }}
          locale={{ emptyText: 'Chưa có lượt truy cập dữ liệu cá nhân nào khớp bộ lọc' }}
          columns={[
            { title: 'Thời điểm', dataIndex: 'occurred_at', width: 140, render: formatDateTime },
            { title: 'Người xem', dataIndex: 'username', width: 160,
              render: (name, e) => <>{name}{e.delegation_id || e.acting_for ? <Tag style={{ marginInlineStart: 6 }}>Theo ủy quyền</Tag> : null}</> },
            { title: 'Đã xem', dataIndex: 'target', width: 300, render: (target: string | null, e) => <ReadTarget target={target} entry={e} /> },
            { title: 'Đơn vị', dataIndex: 'unit_id', width: 220, render: (id) => (id ? <UnitName unitId={id} /> : null) },
            { title: 'Kết quả', dataIndex: 'outcome', width: 140,
              render: (o, e) => <Tag color={OUTCOME[o]?.color}>{OUTCOME[o]?.label ?? o} ({e.status})</Tag> },
            { title: 'Địa chỉ IP', dataIndex: 'client_ip', width: 130 },
          ]}
        />
      )}
      <CursorPager pages={pages} next={log.data?.next_cursor} />
    </>
  );
}

function ReadTarget({ target, entry }: { target: string | null; entry: AuditEntry }) {
  const read = describeRead(target);
  if (read.kind === 'member') {
    return entry.unit_id
      ? <Link to={`/don-vi/${entry.unit_id}/doan-vien/${read.memberId}`}>Hồ sơ đoàn viên (thông tin không che)</Link>
      : <span className="wrap-anywhere">Hồ sơ đoàn viên {read.memberId}</span>;
  }
  if (read.kind === 'export') {
    return (
      <span className="wrap-anywhere">
        Xuất danh sách ({read.format}), {formatNumber(read.rows)} dòng{read.filter ? `; lọc: ${read.filter}` : ''}
      </span>
    );
  }
  return <span className="wrap-anywhere">{read.text}</span>;
}
