/**
 * Tính đoàn phí từ bảng lương: a grassroots union uploads the month's salary list (.xlsx, .xls, .ods, .csv) and sees
 * each member's line computed (the month's rate and cap), the rows it could not use and the members the list
 * leaves out (recorded as unpaid). Recording takes the computed lines in one save; the month's grid corrects them.
 */

import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Progress, Space, Statistic, Table, Tag, Upload } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ErrorState, problemMessage } from '@/components/query-state';
import { formatNumber } from '@/lib/format';
import { useLiveMonth, useRecordMonth } from '../api/dues';
import { type PayrollPreview, previewPayroll } from '../api/upper-level';
import { DuesNav, monthText } from '../components/dues-nav';

type Row = PayrollPreview['rows'][number];

export default function PayrollPage() {
  const { unitId } = useParams() as { unitId: string };
  const [month, setMonth] = useState(dayjs().subtract(1, 'month').format('YYYY-MM'));
  const [percent, setPercent] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<PayrollPreview | null>(null);
  useEffect(() => {
    document.title = 'Tính đoàn phí từ bảng lương — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header"><h1>Tính đoàn phí từ bảng lương</h1></div>
      <DuesNav unitId={unitId} />
      <Card style={{ marginBottom: 16 }}>
        <Space wrap style={{ marginBottom: 12 }}>
          <label htmlFor="payroll-month">Tháng</label>
          <DatePicker id="payroll-month" picker="month" format="MM/YYYY" allowClear={false} value={dayjs(`${month}-01`)}
                      disabledDate={(d) => d.isAfter(dayjs(), 'month')}
                      onChange={(value) => { if (value) { setMonth(value.format('YYYY-MM')); setPreview(null); } }} />
        </Space>
        <Upload.Dragger
          accept=".xlsx,.xls,.ods,.csv" showUploadList={false} height={150}
          customRequest={async ({ file }) => {
            setError(null);
            setPreview(null);
            setPercent(0);
            try {
              setPreview(await previewPayroll(unitId, month, file as File, setPercent));
            } catch (failure) {
              setError(problemMessage(failure));
            } finally {
              setPercent(null);
            }
          }}>
          <p className="ant-upload-drag-icon"><InboxOutlined aria-hidden /></p>
          <p className="ant-upload-text">Kéo bảng lương tháng {monthText(month)} vào đây, hoặc bấm để chọn tệp</p>
          <p className="ant-upload-hint">Tệp .xlsx, .xls, .ods hoặc .csv có cột "Mã đoàn viên" và "Tiền lương". Chưa ghi nhận gì cho đến khi bạn bấm ghi nhận.</p>
        </Upload.Dragger>
        {percent !== null && <Progress percent={percent} status="active" aria-label="Tiến độ tải tệp lên" />}
        {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginTop: 12 }} />}
      </Card>
      {preview && <Preview unitId={unitId} preview={preview} />}
    </>
  );
}

function Preview({ unitId, preview }: { unitId: string; preview: PayrollPreview }) {
  const month = preview.month.slice(0, 7);
  const live = useLiveMonth(unitId, month);
  const record = useRecordMonth();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const save = () => modal.confirm({
    title: `Ghi nhận đoàn phí tháng ${monthText(month)} theo bảng lương?`,
    content: `${formatNumber(preview.lines.length)} đoàn viên theo bảng lương; ${formatNumber(preview.left_out.length)} đoàn viên không có trong bảng được ghi chưa đóng.${live.data ? ' Bản ghi hiện có của tháng được thay bằng bản này.' : ''}`,
    okText: 'Ghi nhận', cancelText: 'Đóng',
    onOk: async () => {
      try {
        await record.mutateAsync({ unit_id: unitId, month, lines: preview.lines, corrects_id: live.data?.collection_id });
        message.success(`Đã ghi nhận đoàn phí tháng ${monthText(month)}`);
        navigate(`/don-vi/${unitId}/doan-phi/${month}`);
      } catch (failure) {
        message.error(problemMessage(failure));
      }
    },
  });
  return (
    <Card title={`Kết quả tính tháng ${monthText(month)}`}>
      <Space wrap size="large" style={{ marginBottom: 12 }}>
        <Statistic title="Dòng hợp lệ" value={formatNumber(preview.lines.length)} />
        <Statistic title="Dòng có lỗi" value={formatNumber(preview.rows_with_problems)} />
        <Statistic title="Không có trong bảng" value={formatNumber(preview.left_out.length)} />
        <Statistic title="Tổng mức đóng (đồng)" value={formatNumber(preview.norm_vnd)} />
      </Space>
      {live.isError ? <ErrorState error={live.error} onRetry={live.refetch} /> : (
        <div style={{ marginBottom: 12 }}>
          <Button type="primary" disabled={preview.lines.length === 0 || live.isPending} onClick={save}>
            Ghi nhận tháng theo bảng lương
          </Button>
        </div>
      )}
      <Table<Row>
        rowKey="row" size="small" dataSource={preview.rows} scroll={{ x: 900 }}
        pagination={preview.rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{ emptyText: 'Bảng lương không có dòng nào' }}
        columns={[
          { title: 'Dòng', dataIndex: 'row', width: 70 },
          { title: 'Mã đoàn viên', dataIndex: 'member_code', width: 130 },
          { title: 'Họ và tên', dataIndex: 'full_name', width: 200 },
          { title: 'Tiền lương (đồng)', dataIndex: 'salary_vnd', width: 150, align: 'right', render: formatNumber },
          { title: 'Mức đóng (đồng)', dataIndex: 'norm_vnd', width: 130, align: 'right', render: formatNumber },
          { title: 'Kiểm tra', key: 'problem', width: 260,
            render: (_, r) => r.problem ? <Tag color="red" className="wrap-anywhere">{r.message_vi ?? r.problem}</Tag>
              : r.exemption ? <Tag>Miễn đóng</Tag> : <Tag color="green">Hợp lệ</Tag> },
        ]}
      />
      {preview.left_out.length > 0 && (
        <Alert type="warning" showIcon style={{ marginTop: 12 }}
               title={`${formatNumber(preview.left_out.length)} đoàn viên của đơn vị không có trong bảng lương (sẽ ghi chưa đóng)`}
               description={preview.left_out.slice(0, 20).map((m) => `${m.full_name}${m.member_code ? ` (${m.member_code})` : ''}`).join('; ')
                 + (preview.left_out.length > 20 ? '…' : '')} />
      )}
    </Card>
  );
}
