import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../lib/api-error';

/** Client errors (4xx) are answers, not glitches: retrying them only repeats the refusal. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}
