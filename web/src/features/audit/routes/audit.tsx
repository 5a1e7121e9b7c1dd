/**
 * Nhật ký kiểm tra: every service's audit trail within the user's subtrees, merged newest first by the gateway,
 * filtered by unit, actor, action, outcome, period and request id. When a service does not answer, the page says
 * whose entries are missing instead of pretending the list is complete.
 */

import { SearchOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, Select, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { UnitPicker } from '@/components/units/unit-picker';
import { showOnForm } from '@/lib/forms';
import { DATE_FORMAT } from '@/lib/format';
import { label } from '@/lib/labels';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import { type AuditEntry, type AuditQuery, useAudit } from '../api/audit';
import { auditQuery, type Values } from '../components/audit-query';
import { OUTCOME, SERVICE } from '../components/labels';
import { MissingServices } from '../components/missing-services';

export default function AuditTrailPage() {
  const { unitId } = useParams() as { unitId: string };
  const [form] = Form.useForm<Values>();
  const [filters, setFilters] = useState<AuditQuery>({});
  const [problem, setProblem] = useState<string[]>([]);
  const pages = useCursorPages(`${unitId}|${JSON.stringify(filters)}`);
  const audit = useAudit({ ...filters, after: pages.after, limit: 50 });
  useEffect(() => {
    document.title = 'Nhật ký kiểm tra — Quản lý đoàn viên';
  }, []);
  // A refused filter (a reversed period, a malformed request id…) is shown on the field it names.
  useEffect(() => {
    if (audit.error instanceof ApiProblem && audit.error.status < 500 && !audit.error.isNetwork) {
      setProblem(showOnForm(form, withFieldNames(audit.error, (field) => (['since', 'until'].includes(field) ? 'period' : field))));
    } else {
      setProblem([]);
    }
  }, [audit.error, form]);
  const refused = audit.error instanceof ApiProblem && audit.error.status < 500 && !audit.error.isNetwork;

  return (
    <>
      <div className="page-header">
        <h1>Nhật ký kiểm tra</h1>
        <Link to={`/don-vi/${unitId}/nhat-ky/du-lieu-ca-nhan`}>Nhật ký truy cập dữ liệu cá nhân</Link>
      </div>
      <Form form={form} layout="vertical" className="audit-filters"
            onFinish={(values) => setFilters(auditQuery(values))}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="unit_id" label="Đơn vị" tooltip="Các thao tác trên chính đơn vị này (để trống: mọi đơn vị bạn được xem)">
            <UnitPicker allowClear placeholder="Mọi đơn vị được xem" />
          </Form.Item>
          <Form.Item name="actor" label="Người thực hiện"><Input placeholder="Tên đăng nhập" maxLength={200} /></Form.Item>
          <Form.Item name="action" label="Thao tác"><Input placeholder="Ví dụ: POST /api/v1/members/members" maxLength={300} /></Form.Item>
          <Form.Item name="outcome" label="Kết quả">
            <Select allowClear placeholder="Mọi kết quả"
                    options={Object.entries(OUTCOME).map(([value, o]) => ({ value, label: o.label }))} />
          </Form.Item>
          <Form.Item name="period" label="Khoảng thời gian">
            <DatePicker.RangePicker format={DATE_FORMAT} style={{ width: '100%' }} placeholder={['Từ ngày', 'Đến ngày']} />
          </Form.Item>
          <Form.Item name="request_id" label="Mã yêu cầu"><Input maxLength={128} /></Form.Item>
        </div>
        <Button type="primary" htmlType="submit" icon={<SearchOutlined aria-hidden />} style={{ marginBottom: 16 }}>Lọc</Button>
      </Form>
      <MissingServices services={audit.data?.missing_services ?? []} onRetry={() => void audit.refetch()} />
      {audit.isError && !refused ? <ErrorState error={audit.error} onRetry={audit.refetch} /> : (
        <Table<AuditEntry>
          rowKey={(e) => `${e.service}-${e.id}`} size="small" loading={audit.isFetching}
          dataSource={refused ? [] : audit.data?.items ?? []} pagination={false} scroll={{ x: 1300 }}
          locale={{ emptyText: 'Không có mục nào khớp bộ lọc' }}
          columns={[
            { title: 'Thời điểm', dataIndex: 'occurred_at', width: 160,
              render: (at: string) => new Date(at).toLocaleString('vi-VN', { hour12: false }) },
            { title: 'Người thực hiện', dataIndex: 'username', width: 170,
              render: (name, e) => (
                <>{name ?? <Typography.Text type="secondary">(không đăng nhập)</Typography.Text>}
                  {e.delegation_id || e.acting_for ? <Tag style={{ marginInlineStart: 6 }}>Theo ủy quyền</Tag> : null}</>
              ) },
            { title: 'Thao tác', dataIndex: 'action', width: 300, render: (a) => <code className="wrap-anywhere">{a}</code> },
            { title: 'Dịch vụ', dataIndex: 'service', width: 150, render: (s) => label(SERVICE, s) },
            { title: 'Đối tượng', dataIndex: 'target', width: 200, render: (t) => <span className="wrap-anywhere">{t}</span> },
            { title: 'Đơn vị', dataIndex: 'unit_id', width: 220, render: (id) => (id ? <UnitName unitId={id} /> : null) },
            { title: 'Kết quả', dataIndex: 'outcome', width: 150,
              render: (o, e) => <Tag color={OUTCOME[o]?.color}>{OUTCOME[o]?.label ?? o} ({e.status})</Tag> },
            { title: 'Mã yêu cầu', dataIndex: 'request_id', width: 200,
              render: (id) => id && (
                <Button type="link" size="small" className="unit-choice wrap-anywhere" title="Lọc theo mã yêu cầu này"
                        onClick={() => {
                          form.setFieldValue('request_id', id);
                          setFilters(auditQuery(form.getFieldsValue()));
                        }}>{id}</Button>
              ) },
            { title: 'Địa chỉ IP', dataIndex: 'client_ip', width: 130 },
          ]}
        />
      )}
      <CursorPager pages={pages} next={audit.data?.next_cursor} />
    </>
  );
}
