/**
 * Where test/inbound-crash.e2e.test.ts kills the notification service in the middle of one inbound
 * message, to prove that a crash at any of them leaves exactly one ticket or comment once the mail
 * is read again. Test-only: honoured only when NODE_ENV is `test` and INBOUND_CRASH_AT names the
 * point; unset (always, outside that test), each is a no-op.
 *
 * - `after-record`: the message is parsed and recorded, its ticket change not yet asked for;
 * - `before-record-commit`: the ticket service has committed the change, the record's outcome not;
 * - `after-commit`: everything is committed, the IMAP message is not yet flagged `\Seen`.
 */
export type InboundCrashPoint = 'after-record' | 'before-record-commit' | 'after-commit';

const crashAt = process.env.NODE_ENV === 'test' ? process.env.INBOUND_CRASH_AT : undefined;

export function inboundCrashPoint(point: InboundCrashPoint): void {
  // SIGKILL, not exit(): no shutdown hook, no pending write or IMAP command gets out, as in a real crash.
  if (crashAt === point) process.kill(process.pid, 'SIGKILL');
}
