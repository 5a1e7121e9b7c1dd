/** Tạo nhóm đơn vị: several units at once under this unit (or under one another, by code), all or nothing. */

import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Form, Input, Select, Space, Table } from 'antd';
import type dayjs from 'dayjs';
import { FormProblem } from '@/components/form-problem';
import type { Unit } from '@/components/units/api';
import { useFormSubmit } from '@/lib/forms';
import { DATE_FORMAT, toApiDate } from '@/lib/format';
import { type BatchUnit, useCreateUnits, useUnitTypes } from '../api/units';

type Row = { code: string; name: string; type_code: string; parent_code?: string };
type Values = { units: Row[]; effective_from?: dayjs.Dayjs };

export function UnitBatchForm({ parent, onDone }: { parent: Unit; onDone: () => void }) {
  const [form] = Form.useForm<Values>();
  const types = useUnitTypes();
  const create = useCreateUnits();
  const { message } = App.useApp();
  const typeOptions = (types.data ?? []).filter((t) => t.level > 0).map((t) => ({ value: t.code, label: t.name_vi }));
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    const units: BatchUnit[] = values.units.map((row) => ({
      code: row.code, name: row.name, type_code: row.type_code,
      ...(row.parent_code ? { parent_code: row.parent_code } : { parent_id: parent.unit_id }),
    }));
    const report = await create.mutateAsync({ units, effective_from: toApiDate(values.effective_from) });
    message.success(`Đã tạo ${report.created_count} đơn vị`);
    onDone();
  });
  return (
    <Form form={form} layout="vertical" onFinish={onFinish}
          initialValues={{ units: [{ code: '', name: '', type_code: undefined }] }}>
      <FormProblem messages={problem} />
      <Form.List name="units">
        {(fields, { add, remove }) => (
          <>
            <Table
              size="small"
              pagination={false}
              rowKey="key"
              dataSource={fields}
              scroll={{ x: 760 }}
              columns={[
                { title: 'Mã đơn vị', width: 150, render: (_, field) => (
                  <Form.Item name={[field.name, 'code']} rules={[{ required: true, message: 'Nhập mã' }]} noStyle={false}
                             style={{ margin: 0 }}>
                    <Input aria-label={`Mã đơn vị dòng ${field.name + 1}`} />
                  </Form.Item>) },
                { title: 'Tên đơn vị', render: (_, field) => (
                  <Form.Item name={[field.name, 'name']} rules={[{ required: true, message: 'Nhập tên' }]} style={{ margin: 0 }}>
                    <Input aria-label={`Tên đơn vị dòng ${field.name + 1}`} />
                  </Form.Item>) },
                { title: 'Loại', width: 220, render: (_, field) => (
                  <Form.Item name={[field.name, 'type_code']} rules={[{ required: true, message: 'Chọn loại' }]} style={{ margin: 0 }}>
                    <Select options={typeOptions} aria-label={`Loại đơn vị dòng ${field.name + 1}`} />
                  </Form.Item>) },
                { title: 'Thuộc mã (trong nhóm)', width: 170, render: (_, field) => (
                  <Form.Item name={[field.name, 'parent_code']} style={{ margin: 0 }}>
                    <Input placeholder={parent.code} aria-label={`Thuộc đơn vị mã, dòng ${field.name + 1}`} />
                  </Form.Item>) },
                { title: '', width: 48, render: (_, field) => (
                  <Button type="text" danger aria-label={`Xóa dòng ${field.name + 1}`} icon={<DeleteOutlined aria-hidden />}
                          disabled={fields.length === 1} onClick={() => remove(field.name)} />) },
              ]}
            />
            <Button type="dashed" icon={<PlusOutlined aria-hidden />} onClick={() => add({})} style={{ marginTop: 8 }}>
              Thêm dòng
            </Button>
          </>
        )}
      </Form.List>
      <Form.Item name="effective_from" label="Hiệu lực từ ngày" style={{ marginTop: 16 }} extra="Để trống: từ hôm nay.">
        <DatePicker format={DATE_FORMAT} />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={submitting}>Tạo các đơn vị</Button>
        <Button onClick={onDone}>Hủy</Button>
      </Space>
    </Form>
  );
}
