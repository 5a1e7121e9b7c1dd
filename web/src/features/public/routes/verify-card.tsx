/**
 * The page the QR code on a member card opens: whether the card is valid, with the little the public route gives.
 * The same address answers JSON to programs that ask for it (the gateway picks by the Accept header).
 *
 * Plain HTML like the sign-in page, outside Ant Design: whoever scans a card waits for it on a phone.
 */

import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiProblem } from '@/lib/problem';
import { type PublicCard, verifyCard } from '../api/public';

type Answer = { card: PublicCard } | { error: string } | null;

export default function VerifyCardPage() {
  const { code } = useParams() as { code: string };
  const [answer, setAnswer] = useState<Answer>(null);
  useEffect(() => {
    document.title = 'Xác thực thẻ đoàn viên';
  }, []);
  useEffect(() => {
    let current = true;
    setAnswer(null);
    verifyCard(code).then(
      (card) => current && setAnswer({ card }),
      (error) => current && setAnswer({
        error: error instanceof ApiProblem ? error.messageVi : 'Có lỗi xảy ra. Vui lòng thử lại.' }),
    );
    return () => {
      current = false;
    };
  }, [code]);
  return (
    <main className="sign-in">
      <div className="sign-in-card" aria-live="polite">
        <h1 style={{ fontSize: 20 }}>Xác thực thẻ đoàn viên</h1>
        {answer === null && <div className="css-spinner" role="status" aria-label="Đang kiểm tra" />}
        {answer && 'error' in answer && (
          <p className="verdict invalid"><span aria-hidden>✕</span> {answer.error}</p>
        )}
        {answer && 'card' in answer && (
          <>
            <p className={`verdict ${answer.card.valid ? 'valid' : 'invalid'}`}>
              <span aria-hidden>{answer.card.valid ? '✓' : '✕'}</span>{' '}
              {answer.card.valid ? 'Thẻ hợp lệ' : 'Thẻ không hợp lệ'}
            </p>
            <dl className="plain-facts">
              <dt>Họ và tên</dt><dd>{answer.card.full_name}</dd>
              <dt>Mã đoàn viên</dt><dd>{answer.card.member_code}</dd>
              <dt>Công đoàn cơ sở</dt><dd>{answer.card.unit_name}</dd>
              <dt>Thẻ</dt><dd>{answer.card.card_status_vi}</dd>
            </dl>
            {answer.card.valid && (
              <p><Link to={`/the-dien-tu/${encodeURIComponent(code)}`}>Mở thẻ điện tử trên điện thoại này</Link></p>
            )}
          </>
        )}
      </div>
    </main>
  );
}
