/** Loading, error (with "Thử lại") and empty states, the same everywhere. */

import { Button, Empty, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { ApiProblem } from '@/lib/problem';

type QueryLike = {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
};

export function problemMessage(error: unknown): string {
  if (error instanceof ApiProblem) return error.messageVi;
  return 'Có lỗi xảy ra. Vui lòng thử lại.';
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => unknown }) {
  const problem = error instanceof ApiProblem ? error : undefined;
  const status = problem?.status === 403 ? '403' : problem?.status === 404 ? '404' : 'warning';
  return (
    <Result
      status={status}
      title={problem?.status === 403 ? 'Không có quyền truy cập' : problem?.status === 404 ? 'Không tìm thấy' : 'Không tải được dữ liệu'}
      subTitle={problemMessage(error)}
      extra={onRetry && (!problem || problem.retryable) ? (
        <Button type="primary" onClick={() => onRetry()}>Thử lại</Button>
      ) : null}
    />
  );
}

export function QueryState({
  query,
  children,
  empty,
  isEmpty,
}: {
  query: QueryLike;
  children: ReactNode;
  empty?: ReactNode;
  isEmpty?: boolean;
}) {
  if (query.isPending) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={query.refetch} />;
  if (isEmpty) return <>{empty ?? <Empty description="Chưa có dữ liệu" />}</>;
  return <>{children}</>;
}
