/**
 * The dialog that places a print order (Lập đơn đặt in): the cards it would gather, the fee in force, whether cards
 * of members without a photo go too. Loaded when opened (routes/cards.tsx).
 */

import { Alert, App, Checkbox, Form, Input, Modal, Select } from 'antd';
import { useNavigate } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { useFormSubmit } from '@/lib/forms';
import { formatDate, formatNumber } from '@/lib/format';
import { type CardKind, useOrderPreview, usePlaceOrder } from '../api/cards';
import { useFeeSchedules } from '../api/fees';
import { perCard } from './fee-breakdown';

type PlaceOrderValues = { kind: CardKind; note?: string; include_without_photo: boolean };

export default function PlaceOrderDialog({ unitId, onClose }: { unitId: string; onClose: () => void }) {
  const [form] = Form.useForm<PlaceOrderValues>();
  const place = usePlaceOrder();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const kind = Form.useWatch('kind', form);
  const includeWithoutPhoto = Form.useWatch('include_without_photo', form);
  const preview = useOrderPreview(unitId, kind);
  const fee = useFeeSchedules().data?.find((schedule) => schedule.state === 'in_force');
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: PlaceOrderValues) => {
    const order = await place.mutateAsync({
      unit_id: unitId, kind: values.kind, note: values.note?.trim() || undefined,
      include_without_photo: values.include_without_photo,
    });
    const leftOut = order.left_out_vi ? `; ${order.left_out_vi}` : '';
    message.success(`Đã lập đơn ${order.order_number}: ${formatNumber(order.card_count)} thẻ${leftOut}`);
    onClose();
    navigate(`/don-vi/${unitId}/the/don/${order.order_id}`);
  });
  return (
    <Modal open title="Lập đơn đặt in thẻ" okText="Lập đơn" onCancel={onClose} onOk={() => form.submit()}
           confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ kind: 'regular', include_without_photo: false }}>
        <FormProblem messages={problem} />
        <Form.Item name="kind" label="Loại thẻ"
                   extra="Đơn gom mọi thẻ loại này đã được đề nghị trong đơn vị và các đơn vị trực thuộc.">
          <Select options={[{ value: 'regular', label: 'Thẻ thường (in tại Tổng Liên đoàn)' },
                            { value: 'linked', label: 'Thẻ liên kết (ngân hàng phát hành)' }]} />
        </Form.Item>
        {preview.data && (
          <Alert
            style={{ marginBottom: 16 }} showIcon type={preview.data.without_photo && !includeWithoutPhoto ? 'warning' : 'info'}
            title={`Đơn sẽ gồm ${formatNumber(includeWithoutPhoto ? preview.data.requested : preview.data.to_order)} thẻ`
              + ` (đã đề nghị: ${formatNumber(preview.data.requested)}, trong đó chưa có ảnh: ${formatNumber(preview.data.without_photo)})`}
            description={!includeWithoutPhoto && preview.data.left_out_vi}
          />
        )}
        {fee && kind && (
          <p>Phí theo biểu phí áp dụng từ {formatDate(fee.effective_from)}: {perCard(kind, fee)}.</p>
        )}
        <Form.Item name="include_without_photo" valuePropName="checked"
                   extra="Mặc định thẻ của đoàn viên chưa có ảnh 3×4 không được đặt in, vẫn chờ đặt in ở đơn sau.">
          <Checkbox>Đặt in cả thẻ của đoàn viên chưa có ảnh</Checkbox>
        </Form.Item>
        <Form.Item name="note" label="Ghi chú"><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </Form>
    </Modal>
  );
}
