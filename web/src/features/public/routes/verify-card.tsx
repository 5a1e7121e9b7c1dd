/**
 * The page the QR code on a member card opens: whether the card is valid, with the little the public route gives.
 * The same address answers JSON to programs that ask for it (the gateway picks by the Accept header).
 */

import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { Descriptions, Spin } from 'antd';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { problemMessage } from '@/components/query-state';
import { useCardVerification } from '../api/public';

export default function VerifyCardPage() {
  const { code } = useParams() as { code: string };
  const card = useCardVerification(code);
  useEffect(() => {
    document.title = 'Xác thực thẻ đoàn viên';
  }, []);
  return (
    <main className="sign-in">
      <div className="sign-in-card" aria-live="polite">
        <h1 style={{ fontSize: 20 }}>Xác thực thẻ đoàn viên</h1>
        {card.isPending && <Spin aria-label="Đang kiểm tra" />}
        {card.isError && (
          <p className="verdict invalid"><CloseCircleFilled aria-hidden /> {problemMessage(card.error)}</p>
        )}
        {card.data && (
          <>
            <p className={`verdict ${card.data.valid ? 'valid' : 'invalid'}`}>
              {card.data.valid ? <CheckCircleFilled aria-hidden /> : <CloseCircleFilled aria-hidden />}{' '}
              {card.data.valid ? 'Thẻ hợp lệ' : 'Thẻ không hợp lệ'}
            </p>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label="Họ và tên">{card.data.full_name}</Descriptions.Item>
              <Descriptions.Item label="Mã đoàn viên">{card.data.member_code}</Descriptions.Item>
              <Descriptions.Item label="Công đoàn cơ sở">{card.data.unit_name}</Descriptions.Item>
              <Descriptions.Item label="Thẻ">{card.data.card_status_vi}</Descriptions.Item>
            </Descriptions>
            {card.data.valid && (
              <p><Link to={`/the-dien-tu/${encodeURIComponent(code)}`}>Mở thẻ điện tử trên điện thoại này</Link></p>
            )}
          </>
        )}
      </div>
    </main>
  );
}
