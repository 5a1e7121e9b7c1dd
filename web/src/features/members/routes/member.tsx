/** Một đoàn viên: every field (sensitive ones masked unless permitted), photo, card, history, and the actions. */

import { Alert, Card, Col, Descriptions, Row, Tag } from 'antd';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { formatDate } from '@/lib/format';
import { CARD_STATUS, CARD_TYPE, GENDER, ID_KIND, label, MEMBER_STATUS } from '@/lib/labels';
import { useMember, useMemberHistory } from '../api/members';
import { BankConsent } from '../components/bank-consent';
import { MemberActions } from '../components/member-actions';
import { MemberHistory } from '../components/member-history';
import { MemberPhoto } from '../components/member-photo';

export default function MemberPage() {
  const { memberId } = useParams() as { unitId: string; memberId: string };
  const member = useMember(memberId);
  const history = useMemberHistory(memberId);
  const access = useAccess(member.data?.unit_id);

  useEffect(() => {
    if (member.data) document.title = `${member.data.full_name} — Quản lý đoàn viên`;
  }, [member.data]);

  return (
    <QueryState query={member}>
      {member.data && (() => {
        const m = member.data;
        const status = MEMBER_STATUS[m.status];
        return (
          <>
            <div className="page-header">
              <h1 className="wrap-anywhere">{m.full_name} <Tag color={status?.color}>{status?.label ?? m.status}</Tag></h1>
              <MemberActions member={m} access={access} />
            </div>
            {m.sensitive_masked && (
              <Alert type="info" showIcon style={{ marginBottom: 12 }}
                     title="Một số thông tin cá nhân được che vì bạn không có quyền xem tại đơn vị này." />
            )}
            <Row gutter={[16, 16]}>
              <Col xs={24} md={7} xl={5}>
                <Card>
                  <MemberPhoto memberId={m.member_id} hasPhoto={m.has_photo} name={m.full_name}
                               canChange={access.can(PERMISSIONS.membersWrite) && !['removed', 'rejected'].includes(m.status)} />
                </Card>
              </Col>
              <Col xs={24} md={17} xl={19}>
                <Card title="Hồ sơ đoàn viên">
                  <Descriptions size="small" column={{ xs: 1, sm: 2, xl: 3 }}>
                    <Descriptions.Item label="Mã đoàn viên">{m.member_code ?? 'Chưa cấp (chờ phê duyệt)'}</Descriptions.Item>
                    <Descriptions.Item label="Đơn vị">
                      <Link to={`/don-vi/${m.unit_id}`}><UnitName unitId={m.unit_id} /></Link>
                    </Descriptions.Item>
                    <Descriptions.Item label="Giới tính">{label(GENDER, m.gender)}</Descriptions.Item>
                    <Descriptions.Item label="Ngày sinh">{formatDate(m.date_of_birth)}</Descriptions.Item>
                    <Descriptions.Item label={label(ID_KIND, m.id_kind) || 'Giấy tờ'}>{m.id_number}</Descriptions.Item>
                    <Descriptions.Item label="Ngày cấp, nơi cấp">
                      {[formatDate(m.id_issued_on), m.id_issued_place].filter(Boolean).join(', ')}
                    </Descriptions.Item>
                    <Descriptions.Item label="Quốc tịch">{m.nationality === 'VN' ? 'Việt Nam' : m.nationality}</Descriptions.Item>
                    <Descriptions.Item label="Dân tộc">{m.ethnicity}</Descriptions.Item>
                    <Descriptions.Item label="Tôn giáo">{m.religion}</Descriptions.Item>
                    <Descriptions.Item label="Số điện thoại">{m.phone}</Descriptions.Item>
                    <Descriptions.Item label="Thư điện tử">{m.email}</Descriptions.Item>
                    <Descriptions.Item label="Quê quán">{m.hometown}</Descriptions.Item>
                    <Descriptions.Item label="Ngày vào công đoàn">{formatDate(m.joined_on)}</Descriptions.Item>
                    <Descriptions.Item label="Chức vụ">{m.position}</Descriptions.Item>
                    <Descriptions.Item label="Nghề nghiệp">{m.occupation}</Descriptions.Item>
                    <Descriptions.Item label="Nơi làm việc">{m.employer}</Descriptions.Item>
                    <Descriptions.Item label="Trình độ">{m.education}</Descriptions.Item>
                    <Descriptions.Item label="Mã Vpoint">{m.vpoint_code}</Descriptions.Item>
                    <Descriptions.Item label="Thẻ đoàn viên">
                      {label(CARD_STATUS, m.card_status)}{m.card_type ? ` · ${label(CARD_TYPE, m.card_type)}` : ''}
                    </Descriptions.Item>
                    {m.suspended_until && (
                      <Descriptions.Item label="Tạm dừng đến">{formatDate(m.suspended_until)}</Descriptions.Item>
                    )}
                    {m.status_reason && <Descriptions.Item label="Lý do">{m.status_reason}</Descriptions.Item>}
                  </Descriptions>
                </Card>
              </Col>
              <Col span={24}>
                <Card title="Đồng ý chia sẻ thông tin với ngân hàng">
                  <BankConsent member={m} canChange={access.can(PERMISSIONS.membersWrite)
                    && !['removed', 'rejected'].includes(m.status)} />
                </Card>
              </Col>
              <Col span={24}>
                <Card title="Lịch sử">
                  <QueryState query={history} isEmpty={history.data?.length === 0}>
                    <MemberHistory entries={history.data ?? []} />
                  </QueryState>
                </Card>
              </Col>
            </Row>
          </>
        );
      })()}
    </QueryState>
  );
}
