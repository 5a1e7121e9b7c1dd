/**
 * The audit trail's filters: unit, actor, action, outcome, period and request id. A refused filter (a reversed
 * period, a malformed request id…) is shown on the field it names. Loaded after the first rows (routes/audit.tsx):
 * its fields' code (the unit picker, the date range, the select) is the largest of the screen's.
 */

import { SearchOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, type FormInstance, Input, Select } from 'antd';
import { type RefObject, useEffect, useState } from 'react';
import { FormProblem } from '@/components/form-problem';
import { UnitPicker } from '@/components/units/unit-picker';
import { showOnForm } from '@/lib/forms';
import { DATE_FORMAT } from '@/lib/format';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import { type Values } from './audit-query';
import { OUTCOME } from './labels';

export default function AuditFilters({ error, initialValues, onFilter, formRef }: {
  /** The trail's last error: one the API refused the filters for is shown on the form. */
  error: unknown;
  initialValues: Values;
  onFilter: (values: Values) => void;
  /** The form, for the page's click on a request id (it filters by it). */
  formRef: RefObject<FormInstance<Values> | null>;
}) {
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<string[]>([]);
  useEffect(() => {
    formRef.current = form;
    return () => {
      formRef.current = null;
    };
  }, [form, formRef]);
  useEffect(() => {
    if (error instanceof ApiProblem && error.status < 500 && !error.isNetwork) {
      setProblem(showOnForm(form, withFieldNames(error, (field) => (['since', 'until'].includes(field) ? 'period' : field))));
    } else {
      setProblem([]);
    }
  }, [error, form]);
  return (
    <Form form={form} layout="vertical" className="audit-filters" initialValues={initialValues} onFinish={onFilter}>
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
  );
}
