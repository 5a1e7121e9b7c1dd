import { ROLE } from '@/lib/labels';

export const USER_STATUS: Record<string, { label: string; color: string }> = {
  active: { label: 'Đang hoạt động', color: 'green' },
  disabled: { label: 'Đã vô hiệu hóa', color: 'default' },
};

/** Roles an administrator hands out on a unit (the API allows only those whose permissions they hold there). */
export const ROLE_OPTIONS = Object.entries(ROLE).map(([value, text]) => ({ value, label: text }));

export const CLIENT_KIND: Record<string, string> = {
  bank: 'Ngân hàng',
  provincial_app: 'Hệ thống của tỉnh',
  other: 'Khác',
};
