import { queryOptions } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { getMe } from '../api/auth';

/** `GET /me`, shared by useMe and the early start (app/early-start.ts), so both fill the same cache entry. */
export const meQuery = queryOptions({ queryKey: queryKeys.me, queryFn: getMe, staleTime: 5 * 60_000 });
