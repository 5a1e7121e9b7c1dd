/** Thêm đoàn viên: one member, checked by the API's rules; a refusal shows on the field it names. */

import { App, Button, Card, Form, Space } from 'antd';
import { useEffect } from 'react';
import { useNavigate, useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { UnitPicker } from '@/components/units/unit-picker';
import { useFormSubmit } from '@/lib/forms';
import { type MemberCreate, useCreateMember } from '../api/members';
import { MemberFields, type MemberValues, toApi } from '../components/member-fields';

export default function NewMemberPage() {
  const { unitId } = useParams() as { unitId: string };
  const [form] = Form.useForm<MemberValues>();
  const create = useCreateMember();
  const navigate = useNavigate();
  const { message } = App.useApp();
  useEffect(() => {
    document.title = 'Thêm đoàn viên — Quản lý đoàn viên';
  }, []);
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: MemberValues) => {
    const member = await create.mutateAsync(toApi(values) as MemberCreate);
    message.success(`Đã thêm đoàn viên ${member.full_name}; hồ sơ chờ cấp trên phê duyệt.`);
    navigate(`/don-vi/${unitId}/doan-vien/${member.member_id}`);
  });
  return (
    <>
      <div className="page-header"><h1>Thêm đoàn viên</h1></div>
      <Card>
        <Form form={form} layout="vertical" onFinish={onFinish} scrollToFirstError
              initialValues={{ unit_id: unitId, id_kind: 'cccd', nationality: 'VN' }}>
          <FormProblem messages={problem} />
          <Form.Item name="unit_id" label="Công đoàn cơ sở" rules={[{ required: true, message: 'Chọn đơn vị' }]}>
            <UnitPicker rootIds={[unitId]} />
          </Form.Item>
          <MemberFields />
          <Space>
            <Button type="primary" htmlType="submit" loading={submitting}>Lưu đoàn viên</Button>
            <Button onClick={() => navigate(-1)}>Hủy</Button>
          </Space>
        </Form>
      </Card>
    </>
  );
}
