import { Alert, Button } from 'antd';
import { label } from '@/lib/labels';
import { SERVICE } from './labels';

/** Some services did not answer: their entries are missing from what is shown, and asking again may fill them in. */
export function MissingServices({ services, onRetry }: { services: string[]; onRetry: () => void }) {
  if (services.length === 0) return null;
  return (
    <Alert
      type="warning" showIcon role="alert" style={{ marginBottom: 12 }}
      title="Nhật ký chưa đầy đủ"
      description={`Chưa nhận được nhật ký của: ${services.map((s) => label(SERVICE, s)).join(', ')}. Các thao tác ghi ở đó không có trong danh sách này; hãy thử lại sau ít phút.`}
      action={<Button size="small" onClick={onRetry}>Thử lại</Button>}
    />
  );
}
