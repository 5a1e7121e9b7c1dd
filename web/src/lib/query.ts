import { QueryClient } from '@tanstack/react-query';
import { ApiProblem } from './problem';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A refusal (4xx) will not change by asking again; the network or a busy server may.
      retry: (failures, error) => failures < 2 && error instanceof ApiProblem && error.retryable,
    },
    mutations: { retry: false },
  },
});
