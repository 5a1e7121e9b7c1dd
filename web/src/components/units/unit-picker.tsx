/** A form control that picks a unit from the tree (or by search): transfers, moves, merges, filters. */

import { ApartmentOutlined, CloseCircleFilled } from '@ant-design/icons';
import { Button, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { useMe } from '@/lib/access';
import { UnitName } from './unit-name';
import { UnitDirectory } from './unit-directory';
import { UnitTree } from './unit-tree';

type Props = {
  value?: string | null;
  onChange?: (unitId: string | undefined) => void;
  /** Where the tree starts; the user's own units when not given. */
  rootIds?: string[];
  disabledIds?: string[];
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
  /** Any unit of the country that admits members (a transfer's destination), found by name or code. */
  nationwide?: boolean;
};

export function UnitPicker({ value, onChange, rootIds, disabledIds, placeholder, allowClear, id, nationwide }: Props) {
  const [open, setOpen] = useState(false);
  const me = useMe();
  const roots = rootIds ?? [...new Set((me.data?.grants ?? []).map((grant) => grant.unit_id))];
  return (
    <>
      <Space.Compact style={{ width: '100%' }}>
        <Button id={id} block style={{ textAlign: 'left', overflow: 'hidden' }} onClick={() => setOpen(true)}
                icon={<ApartmentOutlined aria-hidden />}>
          {value ? <UnitName unitId={value} /> : (
            <Typography.Text type="secondary">{placeholder ?? 'Chọn đơn vị'}</Typography.Text>
          )}
        </Button>
        {allowClear && value ? (
          <Button aria-label="Bỏ chọn đơn vị" icon={<CloseCircleFilled aria-hidden />}
                  onClick={() => onChange?.(undefined)} />
        ) : null}
      </Space.Compact>
      <Modal title="Chọn đơn vị" open={open} onCancel={() => setOpen(false)} footer={null} destroyOnHidden>
        {nationwide ? (
          <UnitDirectory disabledIds={disabledIds} onSelect={(unitId) => {
            onChange?.(unitId);
            setOpen(false);
          }} />
        ) : roots.length > 0 && (
          <UnitTree
            rootIds={roots}
            selectedId={value ?? undefined}
            disabledIds={disabledIds}
            onSelect={(unitId) => {
              onChange?.(unitId);
              setOpen(false);
            }}
          />
        )}
      </Modal>
    </>
  );
}
