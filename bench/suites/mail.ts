import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { FaultSmtpSink } from '../../test/faults/smtp-sink.js';
import { freePort, waitFor } from '../../test/support/index.js';
import { CpuMeter } from '../lib/cpu.js';
import { breakdown, ratio, type Row } from '../lib/report.js';
import { BenchStack } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';

const TARGET_PER_SECOND = 200;

/**
 * Mail throughput with one notification worker: events queued in the stream while the
 * notification service is stopped, then drained to a local SMTP sink (event, context command,
 * delivery row, BullMQ job, SMTP). The baseline is nodemailer alone sending the same number of
 * mails to the same sink with the same number of concurrent connections. The ai-proxy runs, and the
 * new tickets' AI triage is over before the mails start: without it each triage fails and is retried
 * for a minute, which took half the machine away from the mails being measured.
 */
export async function mailThroughput(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const sink = await FaultSmtpSink.start(await freePort());
  const concurrency = Number(process.env.BENCH_MAIL_CONCURRENCY ?? 5);
  const stack = await BenchStack.start('mail', ['ticket', 'gateway', 'ai-proxy'], { EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(sink.port), MAIL_CONCURRENCY: String(concurrency), DEFAULT_FROM_EMAIL: 'Helpdesk <support@bench.test>' });
  try {
    const admin = await stack.signup();
    // A mailbox and a data key, as in production: every ticket mail then carries a signed Reply-To address.
    const database = await stack.connectDatabase();
    await database.query(`INSERT INTO notification.mailboxes (organization_id, address, inbound_token_hash) VALUES ($1, 'help@bench.test', $2)`, [admin.orgId, randomBytes(32).toString('hex')]);
    await database.end();
    const count = options.mails;
    for (let created = 0; created < count; ) {
      const batch = Math.min(50, count - created);
      await Promise.all(
        Array.from({ length: batch }, async (_, index) => {
          const response = await fetch(`${stack.url('gateway')}/api/v1/tickets`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
            body: JSON.stringify({ subject: `Mail bench ${created + index}`, description: 'Please help.', requesterEmail: `reader-${created + index}@bench.test` }),
          });
          if (response.status !== 201) throw new Error(`ticket creation failed: ${response.status} ${await response.text()}`);
        }),
      );
      created += batch;
    }
    await untilTriaged(stack);
    const confirmations = () => sink.mails.filter((mail) => mail.subject.startsWith('We received')).length;

    await stack.spawnService('notification', { DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    // CPU is counted from the first mail to the last, as the rate is: the notification service's start-up is left out.
    await waitFor('the first confirmation mail', async () => confirmations() > 0, 60_000, 10);
    const meter = CpuMeter.begin(Object.fromEntries([...stack.services].map(([name, service]) => [name, service.pid])), { database: stack.database.name, natsPid: stack.nats.pid });
    await waitFor(`${count} confirmation mails`, async () => confirmations() >= count, 600_000, 50);
    const cpuMsPerMail = meter.perUnit(count - 1);
    const platformSeconds = spanSeconds(sink.mails.filter((mail) => mail.subject.startsWith('We received')));
    if (sink.mails.some((mail) => mail.subject.startsWith('We received') && !mail.replyTo?.startsWith('help+'))) throw new Error('a confirmation mail went out without its reply address');

    sink.mails.length = 0;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: concurrency, maxMessages: Infinity });
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        transport.sendMail({ from: 'support@bench.test', to: `reader-${index}@bench.test`, subject: `We received your request #${index}`, text: 'Thank you.', html: '<p>Thank you.</p>' }),
      ),
    );
    const baselineSeconds = spanSeconds(sink.mails);
    transport.close();

    const platformRate = Math.round(count / platformSeconds);
    const baselineRate = Math.round(count / baselineSeconds);
    const rows: Row[] = [
      {
        benchmark: 'mail',
        measure: `${count} events to SMTP sink, mails/s (1 worker, ${concurrency} concurrent)`,
        platform: String(platformRate),
        baseline: `${baselineRate} (nodemailer alone)`,
        ratio: ratio(platformRate, baselineRate),
        target: `>= ${TARGET_PER_SECOND}/s`,
        met: platformRate >= TARGET_PER_SECOND ? 'yes' : 'no',
      },
      {
        benchmark: 'mail',
        measure: `CPU ms per mail: ${breakdown(cpuMsPerMail)}`,
        platform: String(cpuMsPerMail.total),
        baseline: '',
        ratio: '',
        target: '',
        met: '',
      },
    ];
    return { rows, results: { mails: count, concurrency, platformSeconds, baselineSeconds, platformRate, baselineRate, cpuMsPerMail } };
  } finally {
    await stack.stop();
    await sink.stop();
  }
}

/** Until no ticket is owed its AI triage (apps/ticket/src/ai/ai-triage.queue.ts). */
async function untilTriaged(stack: BenchStack): Promise<void> {
  const database = await stack.connectDatabase();
  try {
    await waitFor('AI triage of the new tickets', async () => (await database.query('SELECT 1 FROM helpdesk.tickets WHERE triage_pending LIMIT 1')).rowCount === 0, 300_000, 200);
  } finally {
    await database.end();
  }
}

/** From the first mail accepted to the last: the sending rate, without start-up time. */
function spanSeconds(mails: { receivedAt: number }[]): number {
  const times = mails.map((mail) => mail.receivedAt);
  return (Math.max(...times) - Math.min(...times)) / 1000;
}
