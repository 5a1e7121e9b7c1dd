/** The services' names as officers know them. */
export const SERVICE: Record<string, string> = {
  orgtree: 'Cây tổ chức',
  members: 'Đoàn viên',
  identity: 'Tài khoản, phân quyền',
  reporting: 'Báo cáo',
  dues: 'Đoàn phí',
  cards: 'Thẻ đoàn viên',
  gateway: 'Cổng API',
};

export const OUTCOME: Record<string, { label: string; color: string }> = {
  success: { label: 'Thành công', color: 'green' },
  refused: { label: 'Bị từ chối', color: 'orange' },
  failed: { label: 'Lỗi', color: 'red' },
};
