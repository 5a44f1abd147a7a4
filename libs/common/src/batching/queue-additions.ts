import type { Queue } from 'bullmq';
import { GroupCommit } from './group-commit.js';

/** One job for BullMQ's addBulk. */
export type BulkJob<TData> = Parameters<Queue<TData>['addBulk']>[0][number];

/** Jobs added by concurrent callers go to Redis together: one addBulk round trip per batch. */
export function queueAdditions<TData>(queue: Queue<TData>): GroupCommit<BulkJob<TData>, void> {
  return new GroupCommit(async (jobs: Array<BulkJob<TData>>) => {
    await queue.addBulk(jobs);
    return jobs.map(() => undefined);
  });
}
