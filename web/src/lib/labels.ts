/** Vietnamese names of the API's codes, in one place. */

export const MEMBER_STATUS: Record<string, { label: string; color: string }> = {
  pending: { label: 'Chờ duyệt', color: 'gold' },
  active: { label: 'Đang sinh hoạt', color: 'green' },
  rejected: { label: 'Bị từ chối', color: 'red' },
  suspended: { label: 'Tạm dừng sinh hoạt', color: 'orange' },
  retired: { label: 'Thôi sinh hoạt (nghỉ hưu)', color: 'default' },
  removed: { label: 'Đã xóa tên', color: 'default' },
};

export const GENDER: Record<string, string> = { male: 'Nam', female: 'Nữ' };

export const CARD_STATUS: Record<string, string> = {
  none: 'Chưa có thẻ',
  requested: 'Đã đề nghị in',
  ordered: 'Đã đặt in',
  printed: 'Đã in',
  delivered: 'Đã phát thẻ',
  cancelled: 'Đã hủy',
  revoked: 'Đã thu hồi',
};

export const CARD_TYPE: Record<string, string> = { regular: 'Thẻ thường', linked: 'Thẻ liên kết ngân hàng' };

export const ID_KIND: Record<string, string> = {
  cccd: 'Thẻ căn cước / CCCD',
  cmnd: 'CMND',
  passport: 'Hộ chiếu',
  work_permit: 'Giấy phép lao động',
};

export const ENTERPRISE_TYPE: Record<string, string> = {
  state_administrative: 'Hành chính, sự nghiệp nhà nước',
  state_owned: 'Doanh nghiệp nhà nước',
  non_state_domestic: 'Doanh nghiệp ngoài nhà nước',
  foreign_invested: 'Doanh nghiệp có vốn đầu tư nước ngoài (FDI)',
  cooperative: 'Hợp tác xã',
  other: 'Khác',
};

export const TRANSFER_STATUS: Record<string, { label: string; color: string }> = {
  released: { label: 'Chờ tiếp nhận', color: 'gold' },
  completed: { label: 'Đã tiếp nhận', color: 'green' },
  cancelled: { label: 'Đã hủy / từ chối', color: 'default' },
};

export const UNIT_STATUS: Record<string, { label: string; color: string }> = {
  active: { label: 'Đang hoạt động', color: 'green' },
  merged: { label: 'Đã sáp nhập', color: 'default' },
  dissolved: { label: 'Đã giải thể', color: 'default' },
};

export const ROLE: Record<string, string> = {
  national_admin: 'Quản trị toàn quốc',
  unit_admin: 'Quản trị đơn vị',
  data_entry: 'Cán bộ nhập liệu',
  approver: 'Cán bộ phê duyệt',
  dues_officer: 'Cán bộ đoàn phí',
  card_officer: 'Cán bộ thẻ',
  report_viewer: 'Xem báo cáo',
};

export function label(table: Record<string, string>, code: string | null | undefined): string {
  if (!code) return '';
  return table[code] ?? code;
}
