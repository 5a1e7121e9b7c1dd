/**
 * Nhập danh sách từ Excel: download the template, upload by drag and drop, follow the check live, read the rows
 * with errors, download the report, and import the valid rows or all-or-nothing. The import's id is in the
 * address: leaving the page and coming back (or reopening it from "recent imports") finds it where it was.
 */

import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, List, Progress, Result, Space, Statistic, Steps, Tag, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorState, problemMessage, QueryState } from '@/components/query-state';
import { download, uploadFile } from '@/lib/files';
import { formatDateTime, formatNumber } from '@/lib/format';
import { type Import, RUNNING, useCommitImport, useImport, useRecentImports } from '../api/imports';
import { ImportProgress } from '../components/import-progress';
import { StagedRows } from '../components/staged-rows';

const ACCEPT = '.xlsx,.xls,.ods,.csv';

const STATUS: Record<string, { label: string; color: string }> = {
  uploaded: { label: 'Đã tải lên', color: 'blue' },
  validating: { label: 'Đang kiểm tra', color: 'blue' },
  validated: { label: 'Chờ xác nhận nhập', color: 'gold' },
  committing: { label: 'Đang nhập', color: 'blue' },
  completed: { label: 'Đã nhập xong', color: 'green' },
  rejected: { label: 'Không nhập', color: 'red' },
  failed: { label: 'Lỗi', color: 'red' },
};

export default function ImportPage() {
  const { unitId, importId } = useParams() as { unitId: string; importId?: string };
  useEffect(() => {
    document.title = 'Nhập từ Excel — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header">
        <h1>Nhập danh sách đoàn viên từ Excel</h1>
        <Button icon={<DownloadOutlined aria-hidden />}
                onClick={() => void download('/api/v1/members/imports/template.xlsx', {}, 'mau-danh-sach-doan-vien.xlsx')}>
          Tải file Excel mẫu
        </Button>
      </div>
      {importId ? <ImportDetail unitId={unitId} importId={importId} /> : <UploadStep unitId={unitId} />}
    </>
  );
}

function UploadStep({ unitId }: { unitId: string }) {
  const navigate = useNavigate();
  const [percent, setPercent] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Steps size="small" current={0} items={[{ title: 'Tải tệp lên' }, { title: 'Kiểm tra' }, { title: 'Nhập' }]} />
        <Typography.Paragraph style={{ marginTop: 16 }}>
          Điền danh sách theo file mẫu (hoặc tệp của đơn vị có các cột tương tự), rồi tải lên. Hệ thống kiểm tra từng
          dòng trước khi nhập; chưa có đoàn viên nào được tạo cho đến khi bạn xác nhận.
        </Typography.Paragraph>
        <Upload.Dragger
          height={180}
          accept={ACCEPT}
          showUploadList={false}
          disabled={percent !== null && !error}
          customRequest={async ({ file }) => {
            setError(null);
            setPercent(0);
            try {
              const created = await uploadFile<Import>('/api/v1/members/imports', { unit_id: unitId }, file as File,
                                                       setPercent);
              navigate(`/don-vi/${unitId}/nhap-excel/${created.import_id}`);
            } catch (failure) {
              setError(problemMessage(failure));
              setPercent(null);
            }
          }}
        >
          <p className="ant-upload-drag-icon"><InboxOutlined aria-hidden /></p>
          <p className="ant-upload-text">Kéo tệp danh sách vào đây, hoặc bấm để chọn tệp</p>
          <p className="ant-upload-hint">Tệp .xlsx, .xls, .ods hoặc .csv</p>
        </Upload.Dragger>
        {percent !== null && !error && <Progress percent={percent} status="active" aria-label="Tiến độ tải tệp lên" />}
        {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginTop: 12 }} />}
      </Card>
      <RecentImports unitId={unitId} />
    </Space>
  );
}

function RecentImports({ unitId }: { unitId: string }) {
  const recent = useRecentImports(unitId);
  return (
    <Card title="Các lần nhập gần đây">
      <QueryState query={recent} isEmpty={recent.data?.items.length === 0} empty={<Typography.Text type="secondary">Chưa có lần nhập nào.</Typography.Text>}>
        <List
          dataSource={recent.data?.items ?? []}
          renderItem={(item) => (
            <List.Item extra={<Tag color={STATUS[item.status]?.color}>{STATUS[item.status]?.label ?? item.status}</Tag>}>
              <List.Item.Meta
                title={<Link to={`/don-vi/${unitId}/nhap-excel/${item.import_id}`} className="wrap-anywhere">{item.file_name}</Link>}
                description={`${formatDateTime(item.created_at)} · ${item.created_by} · ${formatNumber(item.total_rows)} dòng`}
              />
            </List.Item>
          )}
        />
      </QueryState>
    </Card>
  );
}

function ImportDetail({ unitId, importId }: { unitId: string; importId: string }) {
  const query = useImport(importId);
  const commit = useCommitImport(importId);
  const { message, modal } = App.useApp();
  if (query.isPending) return <Card loading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={query.refetch} />;
  const item = query.data;
  const running = RUNNING.includes(item.status);
  const step = item.status === 'completed' || item.status === 'committing' ? 2 : running ? 1 : item.status === 'validated' ? 1 : 2;

  const commitAs = (mode: 'valid_rows_only' | 'all_or_nothing') => modal.confirm({
    title: mode === 'valid_rows_only'
      ? `Nhập ${formatNumber(item.valid_rows)} dòng hợp lệ?`
      : `Nhập tất cả ${formatNumber(item.total_rows)} dòng?`,
    content: mode === 'valid_rows_only'
      ? `${formatNumber(item.error_rows)} dòng lỗi sẽ bị bỏ qua. Các đoàn viên được tạo ở trạng thái chờ cấp trên phê duyệt.`
      : 'Nếu có bất kỳ dòng nào không nhập được thì không nhập dòng nào.',
    okText: 'Nhập',
    cancelText: 'Chưa',
    onOk: async () => {
      try {
        await commit.mutateAsync(mode);
      } catch (error) {
        message.error(problemMessage(error));
      }
    },
  });

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Steps size="small" current={step} items={[{ title: 'Tải tệp lên' }, { title: 'Kiểm tra' }, { title: 'Nhập' }]} />
        <Typography.Paragraph style={{ marginTop: 16 }}>
          <strong className="wrap-anywhere">{item.file_name}</strong>{' '}
          <Tag color={STATUS[item.status]?.color}>{STATUS[item.status]?.label ?? item.status}</Tag>
          <Typography.Text type="secondary"> · {formatDateTime(item.created_at)} · {item.created_by}</Typography.Text>
        </Typography.Paragraph>
        {item.duplicate_upload && (
          <Alert type="info" showIcon title="Tệp này đã được tải lên trước đó; đây là lần nhập của tệp ấy." style={{ marginBottom: 12 }} />
        )}
        {running && <ImportProgress item={item} />}
        {item.status === 'rejected' && (
          <Alert type="error" showIcon role="alert"
                 title={String((item.problem as { message_vi?: string } | null)?.message_vi ?? 'Không nhập được tệp này')} />
        )}
        {!running && item.status !== 'rejected' && (
          <Space wrap size="large">
            <Statistic title="Tổng số dòng" value={formatNumber(item.total_rows)} />
            <Statistic title="Dòng hợp lệ" value={formatNumber(item.valid_rows)} />
            <Statistic title="Dòng lỗi" value={formatNumber(item.error_rows)} styles={{ content: { color: item.error_rows ? '#a8071a' : undefined } }} />
            <Statistic title="Cảnh báo" value={formatNumber(item.warning_rows)} />
            {item.status === 'completed' && <Statistic title="Đã nhập" value={formatNumber(item.inserted_rows)} />}
          </Space>
        )}
        {item.status === 'validated' && (
          <Space wrap style={{ marginTop: 16 }}>
            <Button type="primary" disabled={item.valid_rows === 0} onClick={() => commitAs('valid_rows_only')}>
              Nhập {formatNumber(item.valid_rows)} dòng hợp lệ
            </Button>
            <Button disabled={item.error_rows > 0} onClick={() => commitAs('all_or_nothing')}>
              Nhập tất cả (tất cả hoặc không)
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />}
                    onClick={() => void download(`/api/v1/members/imports/${importId}/report.xlsx`, {}, 'bao-cao-kiem-tra.xlsx')
                      .catch((error) => message.error(problemMessage(error)))}>
              Tải báo cáo kiểm tra (.xlsx)
            </Button>
          </Space>
        )}
        {item.status === 'completed' && (
          <Result status="success" title={`Đã nhập ${formatNumber(item.inserted_rows)} đoàn viên`}
                  subTitle="Các đoàn viên mới chờ cấp trên phê duyệt để được cấp mã đoàn viên."
                  extra={<Space wrap>
                    <Link to={`/don-vi/${unitId}/doan-vien?status=pending`}><Button type="primary">Xem đoàn viên chờ duyệt</Button></Link>
                    <Link to={`/don-vi/${unitId}/nhap-excel`}><Button>Nhập tệp khác</Button></Link>
                  </Space>} />
        )}
      </Card>
      {(item.status === 'validated' || item.status === 'completed') && item.total_rows > 0 && (
        <Card title="Các dòng của tệp"><StagedRows item={item} /></Card>
      )}
    </Space>
  );
}
