/**
 * Thẻ đoàn viên điện tử: the member's card on their phone, without signing in (name, member code, unit, card state
 * and the QR code that opens the public verification), installable on the home screen and shown offline with the
 * last answer (the service worker keeps it). `/the-dien-tu` alone reopens the card last shown on this device.
 */

import { CloudOutlined, DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, QRCode, Skeleton } from 'antd';
import { useEffect, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { ErrorState } from '@/components/query-state';
import { useCardVerification } from '../api/card-query';
import { keepCardAnswer, lastCard, makeInstallable, rememberCard, verificationUrl } from '../components/installable';
import '../components/digital-card.css';

type InstallPrompt = Event & { prompt: () => Promise<void> };

export default function DigitalCardPage() {
  const { code } = useParams() as { code?: string };
  useEffect(() => {
    document.title = 'Thẻ đoàn viên điện tử';
  }, []);
  if (!code) {
    const last = lastCard();
    return last ? <Navigate to={`/the-dien-tu/${encodeURIComponent(last)}`} replace /> : <NoCard />;
  }
  return <Card code={code} />;
}

function NoCard() {
  return (
    <main className="digital-card-page">
      <div>
        <h1 style={{ fontSize: 20 }}>Thẻ đoàn viên điện tử</h1>
        <p>Thiết bị này chưa mở thẻ nào. Hãy quét mã QR trên thẻ đoàn viên của bạn, rồi chọn “Mở thẻ điện tử”.</p>
        <Link to="/tra-cuu">Tra cứu thông tin đoàn viên</Link>
      </div>
    </main>
  );
}

function Card({ code }: { code: string }) {
  const card = useCardVerification(code, { offline: true });
  const online = useOnline();
  const install = useInstallPrompt();
  const [installed, setInstalled] = useState(false);
  const [kept, setKept] = useState(false);
  useEffect(() => {
    void makeInstallable().then(setInstalled);
  }, []);
  useEffect(() => {
    if (!card.data) return;
    rememberCard(code);
    void keepCardAnswer(code, card.data).then(setKept).catch(() => undefined);
  }, [card.data, code]);
  // Said on the page for whoever checks it (the browser tests): the card now opens without a network.
  useEffect(() => {
    if (installed && kept) document.documentElement.dataset.offlineReady = 'true';
  }, [installed, kept]);
  return (
    <main className="digital-card-page">
      <div aria-live="polite">
        {!online && (
          <Alert type="info" showIcon icon={<CloudOutlined aria-hidden />} style={{ marginBottom: 12 }}
                 title="Đang không có mạng: thẻ hiển thị dữ liệu lần mở gần nhất." />
        )}
        {card.isPending && <Skeleton active paragraph={{ rows: 6 }} />}
        {card.isError && !card.data && <ErrorState error={card.error} onRetry={card.refetch} />}
        {card.data && (
          <section className="digital-card" aria-label="Thẻ đoàn viên">
            <header>
              <img src="/favicon.svg" alt="" width={36} height={36} />
              <div>
                <p>Công đoàn Việt Nam</p>
                <p>Thẻ đoàn viên</p>
              </div>
            </header>
            <h1>{card.data.full_name}</h1>
            <span className={`state ${card.data.valid ? 'valid' : 'invalid'}`}>
              {card.data.valid ? 'Thẻ hợp lệ' : 'Thẻ không hợp lệ'}
            </span>
            <dl>
              <dt>Mã đoàn viên</dt><dd>{card.data.member_code}</dd>
              <dt>Công đoàn cơ sở</dt><dd>{card.data.unit_name}</dd>
              <dt>Tình trạng thẻ</dt><dd>{card.data.card_status_vi}</dd>
            </dl>
            <div className="qr">
              <QRCode value={verificationUrl(code)} type="svg" size={200} bordered={false}
                      aria-label="Mã QR xác thực thẻ" />
            </div>
          </section>
        )}
        {card.data && (
          <p className="digital-card-note">
            Người kiểm tra quét mã QR để xác thực thẻ. Thêm trang này vào màn hình chính để mở thẻ cả khi không có mạng.
          </p>
        )}
        {install && (
          <Button icon={<DownloadOutlined aria-hidden />} block onClick={() => void install.prompt()}>
            Thêm vào màn hình chính
          </Button>
        )}
      </div>
    </main>
  );
}

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

/** Chromium offers installation through `beforeinstallprompt`; other browsers use their own menu. */
function useInstallPrompt(): InstallPrompt | null {
  const [prompt, setPrompt] = useState<InstallPrompt | null>(null);
  useEffect(() => {
    const keep = (event: Event) => {
      event.preventDefault();
      setPrompt(event as InstallPrompt);
    };
    window.addEventListener('beforeinstallprompt', keep);
    return () => window.removeEventListener('beforeinstallprompt', keep);
  }, []);
  return prompt;
}
