import { Select } from 'antd';
import { useState } from 'react';
import { useDebounced } from '@/lib/use-debounced';
import { useUsers } from '../api/admin';

/** Picks a user of the administrator's scope by username or name (searched by the API, without diacritics). */
export function UserSelect({ value, onChange, id, unitId, placeholder, includeDisabled = false }: {
  value?: string;
  onChange?: (userId: string | undefined) => void;
  id?: string;
  /** Only users of this unit's subtree. */
  unitId?: string;
  placeholder?: string;
  /** Disabled accounts too (who hands over may have left already). */
  includeDisabled?: boolean;
}) {
  const [typed, setTyped] = useState('');
  const q = useDebounced(typed.trim(), 300);
  const users = useUsers({ q: q || undefined, unit_id: unitId, status: includeDisabled ? undefined : 'active', limit: 20 });
  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: setTyped }}
      allowClear
      value={value}
      onChange={onChange}
      placeholder={placeholder ?? 'Gõ tên đăng nhập hoặc họ tên để tìm'}
      loading={users.isFetching}
      notFoundContent={users.isFetching ? 'Đang tìm…' : 'Không tìm thấy người dùng'}
      options={(users.data?.items ?? []).map((user) => ({
        value: user.user_id,
        label: `${user.full_name} (${user.username})${user.status === 'disabled' ? ' — đã vô hiệu hóa' : ''}`,
      }))}
    />
  );
}
