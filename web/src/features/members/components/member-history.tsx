import { Timeline, Typography } from 'antd';
import { formatDateTime } from '@/lib/format';
import type { HistoryEntry } from '../api/members';

const CHANGE: Record<string, string> = {
  created: 'Tạo hồ sơ', imported: 'Nhập từ danh sách Excel', approved: 'Phê duyệt, cấp mã đoàn viên',
  rejected: 'Từ chối kết nạp', corrected: 'Sửa thông tin', position_changed: 'Thay đổi chức vụ',
  suspend: 'Tạm dừng sinh hoạt', resume: 'Sinh hoạt trở lại', retire: 'Thôi sinh hoạt (nghỉ hưu)',
  remove: 'Xóa tên', transferred: 'Chuyển sinh hoạt', transfer: 'Chuyển sinh hoạt', photo: 'Cập nhật ảnh',
  vpoint: 'Cập nhật mã Vpoint', unit_closed: 'Đơn vị sáp nhập hoặc giải thể',
  bank_consent_given: 'Đồng ý chia sẻ thông tin với ngân hàng', bank_consent_withdrawn: 'Rút lại đồng ý chia sẻ với ngân hàng',
};

const FIELD: Record<string, string> = {
  full_name: 'họ và tên', gender: 'giới tính', date_of_birth: 'ngày sinh', id_number: 'số giấy tờ',
  id_kind: 'loại giấy tờ', phone: 'số điện thoại', email: 'thư điện tử', hometown: 'quê quán',
  joined_on: 'ngày vào công đoàn', occupation: 'nghề nghiệp', position: 'chức vụ', employer: 'nơi làm việc',
  education: 'trình độ', ethnicity: 'dân tộc', religion: 'tôn giáo', photo: 'ảnh', vpoint_code: 'mã Vpoint',
  card_type: 'loại thẻ', nationality: 'quốc tịch', id_issued_on: 'ngày cấp', id_issued_place: 'nơi cấp',
};

/** Lịch sử: every change with who made it, when, why, and under whose delegation. Newest first. */
export function MemberHistory({ entries }: { entries: HistoryEntry[] }) {
  const newestFirst = [...entries].sort((a, b) => b.version - a.version);
  return (
    <Timeline
      items={newestFirst.map((entry) => {
        const fields = (entry.details?.changed_fields as string[] | undefined) ?? [];
        return {
          key: entry.version,
          children: (
            <>
              <Typography.Text strong>{CHANGE[entry.change] ?? entry.change}</Typography.Text>
              {fields.length > 0 && (
                <Typography.Text> ({fields.map((f) => FIELD[f] ?? f).join(', ')})</Typography.Text>
              )}
              <br />
              <Typography.Text type="secondary">
                {formatDateTime(entry.changed_at)}
                {entry.changed_by ? ` · ${entry.changed_by}` : ''}
                {entry.acting_for ? ` · theo ủy quyền của ${entry.acting_for}` : ''}
              </Typography.Text>
              {entry.reason && <div>Lý do: {entry.reason}</div>}
            </>
          ),
        };
      })}
    />
  );
}
