/**
 * Tra cứu đoàn viên: a member looks up their own record by member code and ID number, without signing in.
 *
 * Plain HTML like the sign-in page, outside Ant Design: a member opens it on a phone, often on a slow network.
 */

import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Field, useSubmit } from '@/components/plain-form';
import { lookUp, type PublicMember } from '../api/public';
import { lastCard } from '../components/installable';

type Values = { member_code: string; id_number: string };

export default function LookupPage() {
  const [found, setFound] = useState<PublicMember | null>(null);
  const { errors, problem, busy, onSubmit } = useSubmit<Values>(
    { member_code: 'Nhập mã đoàn viên', id_number: 'Nhập số CCCD' },
    async (values) => {
      setFound(null);
      setFound(await lookUp(values.member_code.trim(), values.id_number.trim()));
    },
  );
  useEffect(() => {
    document.title = 'Tra cứu đoàn viên';
  }, []);
  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <header className="sign-in-header">
          <img src="/favicon.svg" alt="" width={48} height={48} />
          <h1>Tra cứu thông tin đoàn viên</h1>
        </header>
        <p>Nhập mã đoàn viên (11 chữ số, in trên thẻ) và số CCCD của bạn.</p>
        <form onSubmit={onSubmit} noValidate>
          {problem && <p className="plain-alert" role="alert">{problem}</p>}
          <Field name="member_code" label="Mã đoàn viên" error={errors.member_code}>
            {(props) => <input {...props} inputMode="numeric" autoComplete="off" maxLength={11} />}
          </Field>
          <Field name="id_number" label="Số CCCD/CMND" error={errors.id_number}>
            {(props) => <input {...props} inputMode="numeric" autoComplete="off" maxLength={20} />}
          </Field>
          <button type="submit" className="plain-button block" disabled={busy} aria-busy={busy}>Tra cứu</button>
        </form>
        {found && (
          <section className="plain-result" aria-label="Kết quả tra cứu">
            <h2>{found.full_name}</h2>
            <dl className="plain-facts">
              <dt>Công đoàn cơ sở</dt><dd>{found.unit_name}</dd>
              <dt>Trạng thái</dt><dd>{found.status_vi}</dd>
              <dt>Thẻ đoàn viên</dt><dd>{found.card_status_vi}</dd>
            </dl>
          </section>
        )}
        {found && ['printed', 'delivered'].includes(found.card_status) && (
          <p style={{ marginTop: 12 }}>
            {found.card_verification_code
              ? (
                <Link to={`/the-dien-tu/${encodeURIComponent(found.card_verification_code)}`}>
                  Mở thẻ đoàn viên điện tử
                </Link>
              )
              : lastCard()
                ? <Link to="/the-dien-tu">Mở thẻ đoàn viên điện tử đã lưu trên máy này</Link>
                : 'Quét mã QR trên thẻ đoàn viên để mở thẻ điện tử và thêm vào màn hình chính của điện thoại.'}
          </p>
        )}
        <p style={{ marginTop: 16 }}><Link to="/dang-nhap">Cán bộ công đoàn đăng nhập</Link></p>
      </div>
    </main>
  );
}
