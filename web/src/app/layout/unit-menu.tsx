import {
  ApartmentOutlined, ApiOutlined, DollarOutlined, BankOutlined, AuditOutlined, BarChartOutlined, FileSearchOutlined, WalletOutlined, CameraOutlined, FileExcelOutlined, IdcardOutlined, InteractionOutlined,
  SafetyCertificateOutlined, SwapOutlined, TeamOutlined, UserAddOutlined, UserSwitchOutlined,
} from '@ant-design/icons';
import { Menu } from 'antd';
import { type ReactNode, useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { PERMISSIONS, type Permission, useAccess } from '@/lib/access';

type Item = {
  path: string; label: string; icon?: ReactNode; permission?: Permission; role?: string;
  /** The screens of a feature, under its entry (a submenu); the entry itself has no screen then. */
  children?: Item[];
};

const ITEMS: Item[] = [
  { path: '', label: 'Thông tin đơn vị', icon: <ApartmentOutlined aria-hidden /> },
  { path: '/doan-vien', label: 'Đoàn viên', icon: <TeamOutlined aria-hidden />, permission: PERMISSIONS.membersRead },
  { path: '/doan-vien/moi', label: 'Thêm đoàn viên', icon: <UserAddOutlined aria-hidden />, permission: PERMISSIONS.membersWrite },
  { path: '/nhap-excel', label: 'Nhập từ Excel', icon: <FileExcelOutlined aria-hidden />, permission: PERMISSIONS.membersWrite },
  { path: '/phe-duyet', label: 'Phê duyệt đoàn viên', icon: <AuditOutlined aria-hidden />, permission: PERMISSIONS.membersApprove },
  { path: '/chuyen-sinh-hoat', label: 'Chuyển sinh hoạt', icon: <SwapOutlined aria-hidden />, permission: PERMISSIONS.membersTransfer },
  { path: '/anh', label: 'Ảnh đoàn viên', icon: <CameraOutlined aria-hidden />, permission: PERMISSIONS.membersWrite },
  { path: '/the', label: 'Thẻ đoàn viên', icon: <IdcardOutlined aria-hidden />, permission: PERMISSIONS.cardsRead },
  { path: '/the/phi', label: 'Phí thẻ', icon: <DollarOutlined aria-hidden />, permission: PERMISSIONS.cardsRead },
  {
    path: '/bao-cao', label: 'Báo cáo', icon: <BarChartOutlined aria-hidden />, permission: PERMISSIONS.reportsRead, children: [
      { path: '/bao-cao', label: 'Tổng quan' },
      { path: '/bao-cao/phat-trien', label: 'Báo cáo phát triển đoàn viên' },
      { path: '/bao-cao/theo-tieu-chi', label: 'Theo tiêu chí, tại một ngày' },
      { path: '/bao-cao/to-chuc', label: 'Số liệu tổ chức công đoàn' },
      { path: '/bao-cao/chi-tieu', label: 'Chỉ tiêu phát triển đoàn viên' },
    ],
  },
  {
    path: '/doan-phi', label: 'Đoàn phí', icon: <WalletOutlined aria-hidden />, permission: PERMISSIONS.duesRead, children: [
      { path: '/doan-phi', label: 'Các tháng' },
      { path: '/doan-phi/no', label: 'Nợ đoàn phí' },
      { path: '/doan-phi/nop-cap-tren', label: 'Nộp cấp trên' },
      // Recording a month from the payroll is a dues officer's work.
      { path: '/doan-phi/bang-luong', label: 'Tính từ bảng lương', permission: PERMISSIONS.duesWrite },
      // Every officer reads the policies; the national administrator adds them there.
      { path: '/doan-phi/quy-dinh', label: 'Quy định mức đóng' },
    ],
  },
  { path: '/nguoi-dung', label: 'Người dùng', icon: <SafetyCertificateOutlined aria-hidden />, permission: PERMISSIONS.usersWrite },
  { path: '/uy-quyen', label: 'Ủy quyền', icon: <UserSwitchOutlined aria-hidden />, permission: PERMISSIONS.usersWrite },
  { path: '/ban-giao', label: 'Bàn giao quản trị', icon: <InteractionOutlined aria-hidden />, permission: PERMISSIONS.usersWrite },
  {
    path: '/nhat-ky', label: 'Nhật ký', icon: <FileSearchOutlined aria-hidden />, permission: PERMISSIONS.auditRead, children: [
      { path: '/nhat-ky', label: 'Nhật ký kiểm tra' },
      { path: '/nhat-ky/du-lieu-ca-nhan', label: 'Truy cập dữ liệu cá nhân' },
    ],
  },
  // Banks and provincial systems are connected by the national administrators.
  { path: '/ung-dung', label: 'Ứng dụng kết nối', icon: <ApiOutlined aria-hidden />, role: 'national_admin' },
  { path: '/ngan-hang', label: 'Ngân hàng đối tác', icon: <BankOutlined aria-hidden />, role: 'national_admin' },
];

const submenuKey = (key: string) => `submenu:${key}`;

/** What the user may do in this unit: only what their roles here (or above) allow. */
export function UnitMenu({ unitId, onNavigate }: { unitId: string; onNavigate: () => void }) {
  const access = useAccess(unitId);
  const navigate = useNavigate();
  const location = useLocation();
  const base = `/don-vi/${unitId}`;
  const allowed = (item: Item) => (!item.permission || access.can(item.permission))
    && (!item.role || access.hasRole(item.role));
  const items = ITEMS.filter(allowed).map((item) => ({ ...item, children: item.children?.filter(allowed) }));
  const screens = items.flatMap((item) => item.children ?? [item]).map((item) => base + item.path);
  // The screen shown is the longest path the address starts with (a month of dues under "Các tháng").
  const current = screens
    .filter((path) => location.pathname === path || location.pathname.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length)[0];
  const currentGroup = items.find((item) => item.children?.some((child) => base + child.path === current));
  const [openKeys, setOpenKeys] = useState<string[]>([]);
  // The feature of the screen shown opens, also when the screen is reached by a link rather than the menu.
  const groupShown = currentGroup ? submenuKey(base + currentGroup.path) : undefined;
  useEffect(() => {
    if (groupShown) setOpenKeys((keys) => (keys.includes(groupShown) ? keys : [...keys, groupShown]));
  }, [groupShown]);
  return (
    <Menu
      mode="inline"
      selectedKeys={current ? [current] : []}
      openKeys={openKeys}
      onOpenChange={setOpenKeys}
      style={{ borderInlineEnd: 'none' }}
      items={items.map((item) => (item.children
        ? {
          key: submenuKey(base + item.path),
          icon: item.icon,
          label: item.label,
          children: item.children.map((child) => ({ key: base + child.path, label: child.label })),
        }
        : { key: base + item.path, icon: item.icon, label: item.label }))}
      onClick={({ key }) => {
        onNavigate();
        navigate(key);
      }}
    />
  );
}
