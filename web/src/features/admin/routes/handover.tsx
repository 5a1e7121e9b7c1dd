/**
 * Bàn giao: the administration of this unit passes from one person to another in guided steps: who hands over (and
 * which of their roles here), who receives, the reason, then one confirmation. The old holder's roles here end and
 * their sessions close; the receiver gets the roles.
 */

import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Input, Result, Steps } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { UnitName } from '@/components/units/unit-name';
import { useFormSubmit } from '@/lib/forms';
import { label, ROLE } from '@/lib/labels';
import { listAsOneField, withFieldNames } from '@/lib/problem';
import { type Grant, useHandover, useUser } from '../api/admin';
import { UserSelect } from '../components/user-select';

type Values = { from_user_id?: string; roles: string[]; to_user_id?: string; reason: string };

export default function HandoverPage() {
  const { unitId } = useParams() as { unitId: string };
  const [form] = Form.useForm<Values>();
  const [step, setStep] = useState(0);
  const [done, setDone] = useState<Grant[] | null>(null);
  const fromId = Form.useWatch('from_user_id', form);
  const toId = Form.useWatch('to_user_id', form);
  const chosenRoles = Form.useWatch('roles', form) ?? [];
  const from = useUser(fromId);
  const to = useUser(toId);
  const handover = useHandover(unitId);
  const { message } = App.useApp();
  const held = (from.data?.grants ?? []).filter((g) => g.unit_id === unitId && !g.delegation_id);
  useEffect(() => {
    document.title = 'Bàn giao quản trị — Quản lý đoàn viên';
  }, []);
  useEffect(() => {
    form.setFieldValue('roles', held.map((g) => g.role));
    // Every role the holder has here is proposed again whenever another holder is chosen.
  }, [from.data?.user_id]);

  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    try {
      const answer = await handover.mutateAsync({
        from_user_id: values.from_user_id as string, to_user_id: values.to_user_id as string,
        reason: values.reason?.trim() ?? '', roles: values.roles,
      });
      setDone(answer.granted);
      message.success('Đã bàn giao');
    } catch (error) {
      // A refusal names a field of an earlier step: go back to where it can be corrected.
      const renamed = withFieldNames(error, listAsOneField('roles'));
      const field = (renamed as { body?: { field?: string } }).body?.field;
      if (field === 'from_user_id' || field === 'roles') setStep(0);
      else if (field === 'to_user_id') setStep(1);
      throw renamed;
    }
  });

  if (done) {
    return (
      <Result status="success" title="Đã bàn giao quản trị đơn vị"
              subTitle={`${to.data?.full_name ?? ''} nhận: ${done.map((g) => label(ROLE, g.role)).join(', ') || 'các vai trò đã có sẵn'}. Các phiên đăng nhập của ${from.data?.full_name ?? 'người bàn giao'} đã kết thúc.`}
              extra={<Link to={`/don-vi/${unitId}/nguoi-dung`}>Về danh sách người dùng</Link>} />
    );
  }

  const next = async () => {
    const fields = step === 0 ? ['from_user_id', 'roles'] : ['to_user_id'];
    const values = form.getFieldsValue();
    const missing = fields.filter((f) => {
      const value = values[f as keyof Values];
      return Array.isArray(value) ? value.length === 0 : !value;
    });
    form.setFields(fields.map((name) => ({
      name: name as keyof Values,
      errors: missing.includes(name) ? [name === 'roles' ? 'Chọn ít nhất một vai trò' : 'Chọn người dùng'] : [],
    })));
    if (missing.length === 0) setStep(step + 1);
  };

  return (
    <>
      <div className="page-header"><h1>Bàn giao quản trị đơn vị</h1></div>
      <p>Đơn vị: <strong><UnitName unitId={unitId} /></strong></p>
      <Steps current={step} size="small" style={{ marginBottom: 16 }}
             items={[{ title: 'Người bàn giao' }, { title: 'Người nhận' }, { title: 'Xác nhận' }]} />
      <Card>
        <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ roles: [], reason: '' }}>
          <FormProblem messages={problem} />
          <div hidden={step !== 0}>
            <Form.Item name="from_user_id" label="Người bàn giao"><UserSelect includeDisabled /></Form.Item>
            {fromId && from.isSuccess && (held.length > 0 ? (
              <Form.Item name="roles" label="Vai trò bàn giao tại đơn vị này">
                <Checkbox.Group options={held.map((g) => ({ value: g.role, label: label(ROLE, g.role) }))} />
              </Form.Item>
            ) : (
              <Alert type="warning" showIcon style={{ marginBottom: 16 }}
                     title="Người này không có vai trò nào tại đơn vị này để bàn giao." />
            ))}
          </div>
          <div hidden={step !== 1}>
            <Form.Item name="to_user_id" label="Người nhận bàn giao"><UserSelect /></Form.Item>
          </div>
          <div hidden={step !== 2}>
            <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
              <Descriptions.Item label="Người bàn giao">{from.data?.full_name} ({from.data?.username})</Descriptions.Item>
              <Descriptions.Item label="Vai trò">{chosenRoles.map((r) => label(ROLE, r)).join(', ')}</Descriptions.Item>
              <Descriptions.Item label="Người nhận">{to.data?.full_name} ({to.data?.username})</Descriptions.Item>
            </Descriptions>
            <Alert type="warning" showIcon style={{ marginBottom: 16 }}
                   title="Người bàn giao mất các vai trò này tại đơn vị và mọi phiên đăng nhập của họ kết thúc ngay." />
            <Form.Item name="reason" label="Lý do bàn giao"><Input.TextArea rows={2} maxLength={500} /></Form.Item>
          </div>
          <div className="toolbar" style={{ marginBottom: 0 }}>
            {step > 0 && <Button onClick={() => setStep(step - 1)}>Quay lại</Button>}
            {step < 2 && <Button type="primary" onClick={() => void next()}>Tiếp tục</Button>}
            {step === 2 && <Button type="primary" htmlType="submit" loading={submitting}>Bàn giao</Button>}
          </div>
        </Form>
      </Card>
    </>
  );
}
