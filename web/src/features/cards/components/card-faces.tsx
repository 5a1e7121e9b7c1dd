/**
 * Mặt thẻ của đơn lớn: the faces are made in the background a part at a time; the page follows the job's progress
 * and offers the zip of the parts' PDFs once it is ready. The job is kept in the address (`?mat-the=`), so a reload
 * or a shared link follows the same job.
 */

import { DownloadOutlined, FileZipOutlined } from '@ant-design/icons';
import { Alert, App, Button, Progress, Space, Table, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { ErrorState, problemMessage } from '@/components/query-state';
import { download } from '@/lib/files';
import { formatDateTime, formatNumber } from '@/lib/format';
import { type FaceJob, useFaceJob, useFaceJobs, useStartFaces } from '../api/cards';

const FACE_STATE: Record<FaceJob['state'], string> = {
  queued: 'Đang chờ', running: 'Đang tạo', ready: 'Đã xong', failed: 'Không thành công',
};

/** Every time the order's faces were asked for: state, progress, when, by whom, and the download once ready. */
export function FaceJobs({ orderId, orderNumber }: { orderId: string; orderNumber: string }) {
  const jobs = useFaceJobs(orderId);
  const { message } = App.useApp();
  if (jobs.isError) return <ErrorState error={jobs.error} onRetry={jobs.refetch} />;
  if (!jobs.data?.items.length) return null;
  return (
    <Table<FaceJob>
      size="small" rowKey="job_id" pagination={false} loading={jobs.isLoading} dataSource={jobs.data.items}
      aria-label="Các lượt tạo mặt thẻ" style={{ marginTop: 12 }}
      columns={[
        { title: 'Yêu cầu lúc', dataIndex: 'requested_at', render: (at: string) => formatDateTime(at) },
        { title: 'Người yêu cầu', dataIndex: 'requested_by', responsive: ['md'] },
        { title: 'Trạng thái', dataIndex: 'state', render: (state: FaceJob['state']) => FACE_STATE[state] },
        { title: 'Tiến độ', key: 'progress',
          render: (_, job) => <Progress size="small" percent={Math.floor(job.progress * 100)}
                                        status={job.state === 'failed' ? 'exception' : undefined}
                                        aria-label={`${formatNumber(job.done)} / ${formatNumber(job.total)} thẻ`} /> },
        { title: 'Tải về', key: 'download',
          render: (_, job) => job.download && (
            <Button size="small" icon={<DownloadOutlined aria-hidden />}
                    onClick={() => void download(job.download as string, {}, `mat-the-${orderNumber}.zip`)
                      .catch((error) => message.error(problemMessage(error)))}>
              Tải (.zip)
            </Button>
          ) },
      ]}
    />
  );
}

const JOB_PARAM = 'mat-the';

export function CardFaces({ orderId, orderNumber }: { orderId: string; orderNumber: string }) {
  const [params, setParams] = useSearchParams();
  const jobId = params.get(JOB_PARAM);
  const start = useStartFaces(orderId);
  const job = useFaceJob(orderId, jobId);
  const { message } = App.useApp();

  const begin = async () => {
    try {
      const started = await start.mutateAsync();
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set(JOB_PARAM, started.job_id);
        return next;
      }, { replace: true });
    } catch (error) {
      message.error(problemMessage(error));
    }
  };
  const again = (
    <Button icon={<FileZipOutlined aria-hidden />} loading={start.isPending} onClick={() => void begin()}>
      {jobId ? 'Tạo lại mặt thẻ' : 'Tạo mặt thẻ (chạy nền)'}
    </Button>
  );

  if (!jobId) {
    return (
      <Space orientation="vertical" size={8}>
        <Typography.Text type="secondary">
          Đơn lớn: mặt thẻ được tạo dần theo từng phần, có thể rời trang và quay lại; tải về tệp .zip khi xong.
        </Typography.Text>
        {again}
      </Space>
    );
  }
  if (job.isError) return <ErrorState error={job.error} onRetry={job.refetch} />;
  const data = job.data;
  const percent = data ? Math.floor(data.progress * 100) : 0;
  return (
    <Space orientation="vertical" size={8} style={{ width: '100%' }}>
      <Progress percent={percent} aria-label="Tiến độ tạo mặt thẻ"
                status={data?.state === 'failed' ? 'exception' : data?.state === 'ready' ? 'success' : 'active'} />
      <Typography.Text role="status">
        {!data ? 'Đang tải tiến độ…'
          : data.state === 'queued' ? `Đang chờ tạo mặt thẻ cho ${formatNumber(data.total)} thẻ`
            : data.state === 'running' ? `Đã tạo ${formatNumber(data.done)} / ${formatNumber(data.total)} thẻ`
              : data.state === 'ready' ? `Đã tạo xong mặt thẻ của ${formatNumber(data.total)} thẻ (${formatNumber(data.parts.length)} phần)`
                : 'Tạo mặt thẻ không thành công'}
      </Typography.Text>
      {data?.state === 'failed' && data.error && <Alert type="error" showIcon title={data.error} />}
      <Space wrap>
        {data?.state === 'ready' && data.download && (
          <Button type="primary" icon={<DownloadOutlined aria-hidden />}
                  onClick={() => void download(data.download as string, {}, `mat-the-${orderNumber}.zip`)
                    .catch((error) => message.error(problemMessage(error)))}>
            Tải mặt thẻ (.zip)
          </Button>
        )}
        {data && ['ready', 'failed'].includes(data.state) && again}
      </Space>
    </Space>
  );
}
