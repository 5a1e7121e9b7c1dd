/**
 * Đồng ý chia sẻ thông tin với ngân hàng: whether the member consented (on which day, from their signed form) to share
 * ID number, date of birth and phone with the bank issuing their linked card; recorded or withdrawn here. Without it
 * a linked card cannot be requested, and a card's later steps are kept from the bank (the unit sees them listed).
 */

import { Alert, App, Button, DatePicker, Form, Modal, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { FormProblem } from '@/components/form-problem';
import { problemMessage } from '@/components/query-state';
import { useFormSubmit } from '@/lib/forms';
import { DATE_FORMAT, formatDate, toApiDate } from '@/lib/format';
import { type Member, useBankConsent } from '../api/members';

export function BankConsent({ member, canChange }: { member: Member; canChange: boolean }) {
  const consent = useBankConsent(member.member_id);
  const { message, modal } = App.useApp();
  const [recording, setRecording] = useState(false);
  const given = member.bank_consent_on;
  return (
    <>
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        <Typography.Text data-testid="bank-consent-state">
          {given ? `Đã đồng ý từ ngày ${formatDate(given)}` : 'Chưa đồng ý'}
        </Typography.Text>
        <Typography.Text type="secondary">
          Số định danh, ngày sinh và số điện thoại chỉ được gửi cho ngân hàng phát hành thẻ liên kết khi đoàn viên đồng ý.
        </Typography.Text>
        {canChange && (
          <Space wrap>
            <Button onClick={() => setRecording(true)}>{given ? 'Sửa ngày đồng ý' : 'Ghi nhận đồng ý'}</Button>
            {given && (
              <Button danger onClick={() => modal.confirm({
                title: `Rút lại sự đồng ý của ${member.full_name}?`, okText: 'Rút lại', cancelText: 'Không',
                okButtonProps: { danger: true },
                content: 'Ngân hàng không nhận thêm thông tin cá nhân của đoàn viên; các bước tiếp theo của thẻ liên kết được giữ lại, không gửi ngân hàng.',
                onOk: () => consent.mutateAsync(null)
                  .then(() => { message.success('Đã ghi nhận rút lại sự đồng ý'); })
                  .catch((error) => { message.error(problemMessage(error)); }),
              })}>Rút lại đồng ý</Button>
            )}
          </Space>
        )}
      </Space>
      {recording && <ConsentDialog member={member} onClose={() => setRecording(false)} />}
    </>
  );
}

function ConsentDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const [form] = Form.useForm<{ given_on: dayjs.Dayjs }>();
  const consent = useBankConsent(member.member_id);
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: { given_on: dayjs.Dayjs }) => {
    await consent.mutateAsync(toApiDate(values.given_on) as string);
    message.success('Đã ghi nhận sự đồng ý');
    onClose();
  });
  return (
    <Modal open title={`Đồng ý chia sẻ thông tin với ngân hàng: ${member.full_name}`} okText="Ghi nhận"
           cancelText="Đóng" onCancel={onClose} onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}
            initialValues={{ given_on: member.bank_consent_on ? dayjs(member.bank_consent_on) : dayjs() }}>
        <FormProblem messages={problem} />
        <Form.Item name="given_on" label="Ngày đồng ý (ngày ký trên phiếu)" rules={[{ required: true, message: 'Chọn ngày' }]}>
          <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
        </Form.Item>
        <Alert type="info" showIcon
               title="Ngân hàng phát hành thẻ liên kết của đoàn viên nhận số định danh, ngày sinh, số điện thoại từ nay cho đến khi đoàn viên rút lại." />
      </Form>
    </Modal>
  );
}
