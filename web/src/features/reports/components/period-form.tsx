/**
 * The dashboard's period: Ant Design's range picker in a form. Loaded on its own once the dashboard's figures are
 * shown (its code, the date picker and the form, is ~130 KB before compression): a phone evaluating it before the
 * figures rendered spent that time before the figures. Until it is there the period shows as text.
 */

import { Button, DatePicker, Form, Grid } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { FormProblem } from '@/components/form-problem';
import { showOnForm } from '@/lib/forms';
import { API_DATE, DATE_FORMAT } from '@/lib/format';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import type { Period } from '../api/reports';

export default function PeriodForm({ period, onChange, error }: {
  period: Period; onChange: (p: Period) => void; error: unknown;
}) {
  const [form] = Form.useForm<{ period: [dayjs.Dayjs, dayjs.Dayjs] }>();
  const [problem, setProblem] = useState<string[]>([]);
  const wide = Grid.useBreakpoint().sm !== false; // on a phone the period takes the whole width, above the button
  // A refused period (reversed, before the data starts) shows the API's message on the field.
  useEffect(() => {
    if (error instanceof ApiProblem && !error.retryable) {
      setProblem(showOnForm(form, withFieldNames(error, (field) => (['from', 'to'].includes(field) ? 'period' : field))));
    } else {
      form.setFields([{ name: 'period', errors: [] }]);
      setProblem([]);
    }
  }, [error, form]);
  return (
    <Form form={form} layout={wide ? 'inline' : 'vertical'} style={{ marginBottom: 12, rowGap: 8 }}
          initialValues={{ period: [dayjs(period.from), dayjs(period.to)] }}
          onFinish={(values) => onChange({ from: values.period[0].format(API_DATE), to: values.period[1].format(API_DATE) })}>
      <FormProblem messages={problem} />
      <Form.Item name="period" label="Kỳ báo cáo">
        <DatePicker.RangePicker format={DATE_FORMAT} allowClear={false} order={false} placeholder={['Từ ngày', 'Đến ngày']}
                               style={wide ? undefined : { width: '100%' }} />
      </Form.Item>
      <Button type="primary" htmlType="submit">Xem</Button>
    </Form>
  );
}
