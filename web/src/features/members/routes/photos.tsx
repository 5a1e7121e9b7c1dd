/**
 * Ảnh đoàn viên: a .zip of photos named by ID number or member code, uploaded with its progress, and the result
 * file by file. One member's photo is changed (with a 3x4 crop) on the member's page.
 */

import { InboxOutlined } from '@ant-design/icons';
import { Alert, Progress, Table, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { problemMessage } from '@/components/query-state';
import type { Schemas } from '@/lib/api';
import { uploadFile } from '@/lib/files';
import { formatNumber } from '@/lib/format';

type Outcome = Schemas['PhotoOutcome'];

export default function PhotosPage() {
  const { unitId } = useParams() as { unitId: string };
  const [percent, setPercent] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    document.title = 'Ảnh đoàn viên — Quản lý đoàn viên';
  }, []);

  return (
    <>
      <div className="page-header"><h1>Ảnh đoàn viên</h1></div>
      <Typography.Paragraph>
        Nén các ảnh chân dung vào một tệp <strong>.zip</strong>. Tên mỗi ảnh là <strong>số CCCD</strong> hoặc
        <strong> mã đoàn viên</strong> (ví dụ <code>001090000101.jpg</code>). Ảnh JPEG hoặc PNG, tối đa 5 MB mỗi ảnh,
        được cắt theo khổ 3x4. Để đổi ảnh của một người, mở hồ sơ đoàn viên.
      </Typography.Paragraph>
      <Upload.Dragger
        height={180}
        accept=".zip,application/zip"
        showUploadList={false}
        disabled={percent !== null && percent < 100 && !outcome && !error}
        customRequest={async ({ file, onSuccess, onError }) => {
          setOutcome(null);
          setError(null);
          setPercent(0);
          try {
            const result = await uploadFile<Outcome>('/api/v1/members/photos', { unit_id: unitId }, file as File,
                                                     setPercent);
            setOutcome(result);
            onSuccess?.(result);
          } catch (failure) {
            setError(problemMessage(failure));
            onError?.(failure as Error);
          } finally {
            setPercent(100);
          }
        }}
      >
        <p className="ant-upload-drag-icon"><InboxOutlined aria-hidden /></p>
        <p className="ant-upload-text">Kéo tệp .zip vào đây, hoặc bấm để chọn tệp</p>
      </Upload.Dragger>
      {percent !== null && !outcome && !error && (
        <Progress percent={percent} status="active" aria-label="Tiến độ tải lên" style={{ marginTop: 12 }} />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} role="alert" />}
      {outcome && (
        <div style={{ marginTop: 16 }}>
          <Alert type={outcome.problems.length ? 'warning' : 'success'} showIcon
                 title={`Đã lưu ${formatNumber(outcome.stored)} ảnh${outcome.problems.length ? `; ${formatNumber(outcome.problems.length)} tệp không dùng được` : ''}`} />
          {outcome.problems.length > 0 && (
            <Table size="small" style={{ marginTop: 12 }} rowKey={(row) => `${row.file}:${row.code}`}
                   dataSource={outcome.problems} pagination={{ pageSize: 50, hideOnSinglePage: true }}
                   columns={[{ title: 'Tệp', dataIndex: 'file', render: (f) => <span className="wrap-anywhere">{f}</span> },
                             { title: 'Lý do', dataIndex: 'message_vi' }]} />
          )}
        </div>
      )}
    </>
  );
}
