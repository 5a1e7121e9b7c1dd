/** The fields of a member's record, shared by "new member" and "correct data", in the API's names. */

import { Col, DatePicker, Form, Input, InputNumber, Row, Select } from 'antd';
import dayjs from 'dayjs';
import { DATE_FORMAT, toApiDate } from '@/lib/format';
import { CARD_TYPE, GENDER, ID_KIND } from '@/lib/labels';
import type { Member, MemberCreate } from '../api/members';

const DATE_FIELDS = ['date_of_birth', 'id_issued_on', 'joined_on'] as const;

export type MemberValues = Omit<MemberCreate, (typeof DATE_FIELDS)[number]> & {
  [K in (typeof DATE_FIELDS)[number]]?: dayjs.Dayjs | null;
};

/** Form values → the API's body: dates as yyyy-mm-dd, empty text as absent. */
export function toApi(values: Partial<MemberValues>): Partial<MemberCreate> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === '') continue;
    body[key] = (DATE_FIELDS as readonly string[]).includes(key) ? toApiDate(value as dayjs.Dayjs | null) ?? null : value;
  }
  return body as Partial<MemberCreate>;
}

export function fromMember(member: Member): Partial<MemberValues> {
  const values: Record<string, unknown> = { ...member };
  for (const key of DATE_FIELDS) values[key] = member[key] ? dayjs(member[key] as string) : null;
  return values as Partial<MemberValues>;
}

const options = (table: Record<string, string>) => Object.entries(table).map(([value, label]) => ({ value, label }));
const half = { xs: 24, md: 12 };

export function MemberFields({ sensitiveMasked = false }: { sensitiveMasked?: boolean }) {
  return (
    <>
      <Row gutter={16}>
        <Col {...half}>
          <Form.Item name="full_name" label="Họ và tên" rules={[{ required: true, min: 2, message: 'Nhập họ và tên' }]}>
            <Input maxLength={200} autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="gender" label="Giới tính" rules={[{ required: true, message: 'Chọn giới tính' }]}>
            <Select options={options(GENDER)} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="date_of_birth" label="Ngày sinh" rules={[{ required: true, message: 'Nhập ngày sinh' }]}>
            <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} placeholder="dd/mm/yyyy" />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="id_kind" label="Loại giấy tờ">
            <Select options={options(ID_KIND)} />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="id_number" label="Số giấy tờ" rules={[{ required: true, min: 5, message: 'Nhập số CCCD hoặc giấy tờ' }]}
                     extra={sensitiveMasked ? 'Bạn không có quyền xem hoặc sửa số giấy tờ.' : undefined}>
            <Input maxLength={20} inputMode="numeric" disabled={sensitiveMasked} autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="id_issued_on" label="Ngày cấp">
            <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} placeholder="dd/mm/yyyy" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="id_issued_place" label="Nơi cấp"><Input maxLength={200} /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="nationality" label="Quốc tịch (mã 2 chữ)" extra="VN: Việt Nam">
            <Input maxLength={2} style={{ textTransform: 'uppercase' }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="contract_months" label="Thời hạn hợp đồng (tháng)" extra="Người lao động nước ngoài">
            <InputNumber min={1} max={600} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="phone" label="Số điện thoại"><Input maxLength={20} inputMode="tel" /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="email" label="Thư điện tử"><Input maxLength={200} inputMode="email" /></Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="hometown" label="Quê quán"><Input maxLength={200} /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="joined_on" label="Ngày vào công đoàn">
            <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} placeholder="dd/mm/yyyy" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="position" label="Chức vụ công đoàn"><Input maxLength={200} /></Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="occupation" label="Nghề nghiệp, công việc"><Input maxLength={200} /></Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="employer" label="Nơi làm việc"><Input maxLength={300} /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="education" label="Trình độ"><Input maxLength={100} /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="ethnicity" label="Dân tộc"><Input maxLength={50} disabled={sensitiveMasked} /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="religion" label="Tôn giáo"><Input maxLength={50} disabled={sensitiveMasked} /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="card_type" label="Loại thẻ đăng ký"><Select allowClear options={options(CARD_TYPE)} /></Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="vpoint_code" label="Mã Vpoint"><Input maxLength={16} /></Form.Item>
        </Col>
      </Row>
    </>
  );
}
