/**
 * What an administrator does to a unit: add one unit or a group below it, edit it, move, merge or dissolve it.
 * Restructuring asks for the effective date and says what will happen before it is done.
 */

import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Dropdown, Form, Modal, Space } from 'antd';
import type dayjs from 'dayjs';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import type { Unit } from '@/components/units/api';
import { UnitName } from '@/components/units/unit-name';
import { UnitPicker } from '@/components/units/unit-picker';
import { useFormSubmit } from '@/lib/forms';
import { DATE_FORMAT, formatDate, toApiDate } from '@/lib/format';
import { type Restructure, type UnitCreate, useCreateUnit, useRestructure, useUnitTypes, useUpdateUnit } from '../api/units';
import { UnitBatchForm } from './unit-batch-form';
import { UnitFields } from './unit-fields';

type Dialog = 'create' | 'batch' | 'edit' | 'move' | 'merge' | 'dissolve' | null;

export function UnitActions({ unit }: { unit: Unit }) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  const active = unit.status === 'active';
  return (
    <>
      <Space wrap>
        {active && (
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setDialog('create')}>
            Thêm đơn vị trực thuộc
          </Button>
        )}
        <Dropdown
          trigger={['click']}
          disabled={!active}
          menu={{
            items: [
              { key: 'batch', label: 'Tạo nhóm đơn vị' },
              { key: 'edit', label: 'Sửa thông tin' },
              { type: 'divider' },
              { key: 'move', label: 'Chuyển sang đơn vị cấp trên khác' },
              { key: 'merge', label: 'Sáp nhập vào đơn vị khác' },
              { key: 'dissolve', label: 'Giải thể', danger: true },
            ],
            onClick: ({ key }) => setDialog(key as Dialog),
          }}
        >
          <Button>Thao tác khác <DownOutlined aria-hidden /></Button>
        </Dropdown>
      </Space>
      {dialog === 'create' && <CreateDialog parent={unit} onClose={close} />}
      {dialog === 'batch' && (
        <Modal open title={`Tạo nhóm đơn vị trực thuộc ${unit.name}`} onCancel={close} footer={null} width={960}
               destroyOnHidden>
          <UnitBatchForm parent={unit} onDone={close} />
        </Modal>
      )}
      {dialog === 'edit' && <EditDialog unit={unit} onClose={close} />}
      {(dialog === 'move' || dialog === 'merge' || dialog === 'dissolve') && (
        <RestructureDialog unit={unit} kind={dialog} onClose={close} />
      )}
    </>
  );
}

type UnitValues = Omit<UnitCreate, 'parent_id' | 'effective_from'> & { effective_from?: dayjs.Dayjs };

function CreateDialog({ parent, onClose }: { parent: Unit; onClose: () => void }) {
  const [form] = Form.useForm<UnitValues>();
  const types = useUnitTypes();
  const create = useCreateUnit();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const allowed = (types.data ?? []).filter((type) =>
    (types.data ?? []).find((t) => t.code === parent.type_code)?.allowed_children.includes(type.code));
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: UnitValues) => {
    const created = await create.mutateAsync({
      ...values, parent_id: parent.unit_id, effective_from: toApiDate(values.effective_from),
      employer: cleanEmployer(values.employer),
    });
    message.success(`Đã tạo đơn vị ${created.name}`);
    onClose();
    navigate(`/don-vi/${created.unit_id}`);
  });
  return (
    <Modal open title={`Thêm đơn vị trực thuộc ${parent.name}`} onCancel={onClose} okText="Tạo đơn vị"
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <FormProblem messages={problem} />
        <UnitFields types={allowed} creating />
      </Form>
    </Modal>
  );
}

function EditDialog({ unit, onClose }: { unit: Unit; onClose: () => void }) {
  const [form] = Form.useForm<UnitValues>();
  const update = useUpdateUnit(unit.unit_id);
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: UnitValues) => {
    await update.mutateAsync({ ...values, effective_from: toApiDate(values.effective_from),
                               employer: cleanEmployer(values.employer) });
    message.success('Đã lưu thông tin đơn vị');
    onClose();
  });
  return (
    <Modal open title={`Sửa thông tin: ${unit.name}`} onCancel={onClose} okText="Lưu" onOk={() => form.submit()}
           confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}
            initialValues={{ name: unit.name, short_name: unit.short_name, address: unit.address,
                             employer: unit.employer }}>
        <FormProblem messages={problem} />
        <UnitFields creating={false} />
      </Form>
    </Modal>
  );
}

const RESTRUCTURE_TEXT = {
  move: { title: 'Chuyển đơn vị', target: 'Đơn vị cấp trên mới', ok: 'Chuyển đơn vị' },
  merge: { title: 'Sáp nhập đơn vị', target: 'Sáp nhập vào đơn vị', ok: 'Sáp nhập' },
  dissolve: { title: 'Giải thể đơn vị', target: 'Đơn vị tiếp nhận (không bắt buộc)', ok: 'Giải thể' },
} as const;

function RestructureDialog({ unit, kind, onClose }: {
  unit: Unit;
  kind: 'move' | 'merge' | 'dissolve';
  onClose: () => void;
}) {
  const [form] = Form.useForm<{ target?: string; effective_from?: dayjs.Dayjs }>();
  const restructure = useRestructure(unit.unit_id);
  const { message } = App.useApp();
  const target = Form.useWatch('target', form);
  const day = Form.useWatch('effective_from', form);
  const text = RESTRUCTURE_TEXT[kind];
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: {
    target?: string; effective_from?: dayjs.Dayjs;
  }) => {
    const effective_from = toApiDate(values.effective_from);
    const body: Restructure = kind === 'move'
      ? { kind, new_parent_id: values.target as string, effective_from }
      : kind === 'merge'
        ? { kind, target_unit_id: values.target as string, effective_from }
        : { kind, successor_unit_id: values.target, effective_from };
    await restructure.mutateAsync(body);
    message.success(`${text.ok}: đã thực hiện`);
    onClose();
  });
  const when = day ? `từ ngày ${formatDate(toApiDate(day))}` : 'từ hôm nay';
  return (
    <Modal open title={`${text.title}: ${unit.name}`} onCancel={onClose} okText={text.ok}
           okButtonProps={{ danger: kind !== 'move', disabled: kind !== 'dissolve' && !target }}
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <FormProblem messages={problem} />
        <Form.Item name="target" label={text.target}
                   rules={kind === 'dissolve' ? [] : [{ required: true, message: 'Chọn đơn vị' }]}>
          <UnitPicker disabledIds={[unit.unit_id]} allowClear={kind === 'dissolve'} />
        </Form.Item>
        <Form.Item name="effective_from" label="Hiệu lực từ ngày" extra="Để trống: từ hôm nay.">
          <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
        <Alert type={kind === 'move' ? 'info' : 'warning'} showIcon title="Điều sẽ xảy ra"
               description={<Consequence kind={kind} unit={unit} target={target} when={when} />} />
      </Form>
    </Modal>
  );
}

function Consequence({ kind, unit, target, when }: {
  kind: 'move' | 'merge' | 'dissolve'; unit: Unit; target?: string; when: string;
}) {
  const other = target ? <strong><UnitName unitId={target} /></strong> : <em>(chưa chọn)</em>;
  if (kind === 'move') {
    return <>{unit.name} cùng toàn bộ đơn vị trực thuộc và đoàn viên sẽ thuộc {other} {when}. Mã đoàn viên và lịch sử được giữ nguyên.</>;
  }
  if (kind === 'merge') {
    return <>{unit.name} sẽ sáp nhập vào {other} {when}: các đơn vị trực thuộc và toàn bộ đoàn viên chuyển sang {other}. {unit.name} ngừng hoạt động; số liệu lịch sử của đơn vị vẫn được giữ.</>;
  }
  return target
    ? <>{unit.name} sẽ giải thể {when}. Các đơn vị trực thuộc và đoàn viên chuyển sang {other}. Số liệu lịch sử được giữ.</>
    : <>{unit.name} sẽ giải thể {when}. Đơn vị còn đoàn viên hoặc đơn vị trực thuộc thì không giải thể được nếu không chọn đơn vị tiếp nhận.</>;
}

function cleanEmployer(employer: UnitCreate['employer']): UnitCreate['employer'] {
  if (!employer) return undefined;
  const filled = Object.entries(employer).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return filled.length ? Object.fromEntries(filled) : undefined;
}
