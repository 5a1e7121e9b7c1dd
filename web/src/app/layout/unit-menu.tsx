import {
  ApartmentOutlined, ApiOutlined, BankOutlined, AuditOutlined, BarChartOutlined, FileSearchOutlined, WalletOutlined, CameraOutlined, FileExcelOutlined, IdcardOutlined, InteractionOutlined,
  SafetyCertificateOutlined, SwapOutlined, TeamOutlined, UserAddOutlined, UserSwitchOutlined,
} from '@ant-design/icons';
import { Menu } from 'antd';
import type { ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { PERMISSIONS, type Permission, useAccess } from '@/lib/access';

type Item = { path: string; label: string; icon: ReactNode; permission?: Permission; role?: string };

const ITEMS: Item[] = [
  { path: '', label: 'Thông tin đơn vị', icon: <ApartmentOutlined /> },
  { path: '/doan-vien', label: 'Đoàn viên', icon: <TeamOutlined />, permission: PERMISSIONS.membersRead },
  { path: '/doan-vien/moi', label: 'Thêm đoàn viên', icon: <UserAddOutlined />, permission: PERMISSIONS.membersWrite },
  { path: '/nhap-excel', label: 'Nhập từ Excel', icon: <FileExcelOutlined />, permission: PERMISSIONS.membersWrite },
  { path: '/phe-duyet', label: 'Phê duyệt đoàn viên', icon: <AuditOutlined />, permission: PERMISSIONS.membersApprove },
  { path: '/chuyen-sinh-hoat', label: 'Chuyển sinh hoạt', icon: <SwapOutlined />, permission: PERMISSIONS.membersTransfer },
  { path: '/anh', label: 'Ảnh đoàn viên', icon: <CameraOutlined />, permission: PERMISSIONS.membersWrite },
  { path: '/the', label: 'Thẻ đoàn viên', icon: <IdcardOutlined />, permission: PERMISSIONS.cardsRead },
  { path: '/bao-cao', label: 'Báo cáo', icon: <BarChartOutlined />, permission: PERMISSIONS.reportsRead },
  { path: '/doan-phi', label: 'Đoàn phí', icon: <WalletOutlined />, permission: PERMISSIONS.duesRead },
  { path: '/nguoi-dung', label: 'Người dùng', icon: <SafetyCertificateOutlined />, permission: PERMISSIONS.usersWrite },
  { path: '/uy-quyen', label: 'Ủy quyền', icon: <UserSwitchOutlined />, permission: PERMISSIONS.usersWrite },
  { path: '/ban-giao', label: 'Bàn giao quản trị', icon: <InteractionOutlined />, permission: PERMISSIONS.usersWrite },
  { path: '/nhat-ky', label: 'Nhật ký kiểm tra', icon: <FileSearchOutlined />, permission: PERMISSIONS.auditRead },
  // Banks and provincial systems are connected by the national administrators.
  { path: '/ung-dung', label: 'Ứng dụng kết nối', icon: <ApiOutlined />, role: 'national_admin' },
  { path: '/ngan-hang', label: 'Ngân hàng đối tác', icon: <BankOutlined />, role: 'national_admin' },
];

/** What the user may do in this unit: only what their roles here (or above) allow. */
export function UnitMenu({ unitId, onNavigate }: { unitId: string; onNavigate: () => void }) {
  const access = useAccess(unitId);
  const navigate = useNavigate();
  const location = useLocation();
  const base = `/don-vi/${unitId}`;
  const items = ITEMS.filter((item) => (!item.permission || access.can(item.permission))
    && (!item.role || access.hasRole(item.role)));
  const current = items
    .map((item) => base + item.path)
    .filter((path) => location.pathname === path || location.pathname.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length)[0];
  return (
    <Menu
      mode="inline"
      selectedKeys={current ? [current] : []}
      style={{ borderInlineEnd: 'none' }}
      items={items.map((item) => ({ key: base + item.path, icon: item.icon, label: item.label }))}
      onClick={({ key }) => {
        onNavigate();
        navigate(key);
      }}
    />
  );
}
