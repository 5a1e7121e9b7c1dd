import { DatePicker, Form, Input, InputNumber, Select } from 'antd';
import { DATE_FORMAT } from '@/lib/format';
import { ENTERPRISE_TYPE } from '@/lib/labels';
import type { UnitType } from '../api/units';

/** The fields of a unit shared by "create" and "edit"; the type only when creating. */
export function UnitFields({ types, creating }: { types?: UnitType[]; creating: boolean }) {
  return (
    <>
      {creating && (
        <Form.Item name="type_code" label="Loại đơn vị" rules={[{ required: true, message: 'Chọn loại đơn vị' }]}>
          <Select options={(types ?? []).map((t) => ({ value: t.code, label: t.name_vi }))} />
        </Form.Item>
      )}
      {creating && (
        <Form.Item name="code" label="Mã đơn vị" extra="Chữ không dấu, số, dấu chấm, gạch ngang (ví dụ HNI-CS-0123)."
                   rules={[{ required: true, message: 'Nhập mã đơn vị' }]}>
          <Input maxLength={40} autoCapitalize="characters" />
        </Form.Item>
      )}
      <Form.Item name="name" label="Tên đơn vị" rules={[{ required: creating, message: 'Nhập tên đơn vị' }]}>
        <Input maxLength={300} />
      </Form.Item>
      <Form.Item name="short_name" label="Tên viết tắt"><Input maxLength={100} /></Form.Item>
      <Form.Item name="address" label="Địa chỉ"><Input maxLength={500} /></Form.Item>
      <Form.Item name={['employer', 'name']} label="Tên doanh nghiệp, cơ quan"><Input maxLength={300} /></Form.Item>
      <Form.Item name={['employer', 'enterprise_type']} label="Loại hình doanh nghiệp">
        <Select allowClear options={Object.entries(ENTERPRISE_TYPE).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      <Form.Item name={['employer', 'tax_code']} label="Mã số thuế"><Input maxLength={14} inputMode="numeric" /></Form.Item>
      <Form.Item name={['employer', 'workforce_size']} label="Số lao động">
        <InputNumber min={0} style={{ width: '100%' }} />
      </Form.Item>
      <Form.Item name="effective_from" label="Hiệu lực từ ngày" extra="Để trống: từ hôm nay.">
        <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} />
      </Form.Item>
    </>
  );
}
