import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Closes a BullMQ worker at shutdown: letting its running jobs finish while Redis answers, and at
 * once (forced) when it does not, since BullMQ's graceful close then waits for a connection that
 * never comes and the process would outlive its termination grace period. A forced job's lock
 * expires and another worker runs it again.
 */
export async function closeWorker(worker: Worker | undefined, connections: readonly Redis[]): Promise<void> {
  await worker?.close(!connections.every((connection) => connection.status === 'ready'));
}
