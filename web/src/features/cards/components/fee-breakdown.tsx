import { Descriptions } from 'antd';
import { formatDate, formatNumber } from '@/lib/format';
import type { PrintOrder } from '../api/cards';
import type { FeeSchedule } from '../api/fees';

const dong = (value: number) => `${formatNumber(value)} đ`;

/** What one card of the kind costs under a schedule, component by component. */
export function perCard(kind: PrintOrder['kind'], fees: Pick<FeeSchedule, 'blank_vnd' | 'printing_vnd' | 'linked_vnd'>): string {
  if (kind === 'regular') {
    return `phôi ${dong(fees.blank_vnd)} + in ${dong(fees.printing_vnd)} = ${dong(fees.blank_vnd + fees.printing_vnd)}/thẻ`;
  }
  return `${dong(fees.linked_vnd)}/thẻ (miễn phí nếu đơn vị chi lương qua ngân hàng)`;
}

/** The fee breakdown an order stored when it was placed (the schedule in force on its day). */
export function FeeBreakdown({ order }: { order: PrintOrder }) {
  return (
    <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} title="Phí thẻ của đơn">
      <Descriptions.Item label="Biểu phí áp dụng">
        {order.fee_schedule_from ? `từ ${formatDate(order.fee_schedule_from)}` : 'đơn lập trước biểu phí'}
      </Descriptions.Item>
      <Descriptions.Item label="Phí mỗi thẻ">{perCard(order.kind, order)}</Descriptions.Item>
      <Descriptions.Item label="Số thẻ">{formatNumber(order.card_count)}</Descriptions.Item>
      {order.kind === 'linked' && (
        <Descriptions.Item label="Thẻ miễn phí">
          {`${formatNumber(order.waived_count)} thẻ (${dong(order.waived_vnd)}, đơn vị chi lương qua ngân hàng)`}
        </Descriptions.Item>
      )}
      <Descriptions.Item label="Phải trả">{dong(order.total_vnd)}</Descriptions.Item>
    </Descriptions>
  );
}
