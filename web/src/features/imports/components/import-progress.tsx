import { Progress, Space, Typography } from 'antd';
import { formatDuration, formatNumber } from '@/lib/format';
import type { Import } from '../api/imports';
import { estimate } from './progress';

/** The live bar of a running import: rows done of total, rows per second, time left. */
export function ImportProgress({ item }: { item: Import }) {
  const progress = estimate(item);
  const phase = item.status === 'committing' ? 'Đang nhập vào danh sách đoàn viên' : 'Đang kiểm tra từng dòng';
  return (
    <Space orientation="vertical" style={{ width: '100%' }} aria-live="polite">
      <Typography.Text strong>{phase}</Typography.Text>
      <Progress percent={progress.percent} status="active" aria-label={phase} />
      <Typography.Text type="secondary">
        {progress.totalRows > 0
          ? `${formatNumber(progress.rowsDone)} / ${formatNumber(progress.totalRows)} dòng`
          : 'Đang đọc tệp…'}
        {progress.rowsPerSecond ? ` · ${formatNumber(Math.round(progress.rowsPerSecond))} dòng/giây` : ''}
        {progress.secondsLeft !== null ? ` · còn khoảng ${formatDuration(progress.secondsLeft)}` : ''}
      </Typography.Text>
    </Space>
  );
}
