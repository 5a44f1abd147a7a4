import nodemailer from 'nodemailer';
import { FaultSmtpSink } from '../../test/faults/smtp-sink.js';
import { freePort, waitFor } from '../../test/support/index.js';
import { CpuMeter } from '../lib/cpu.js';
import { breakdown, ratio, type Row } from '../lib/report.js';
import { BenchStack, startScript } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';

const TARGET_PER_SECOND = 100;
const CONCURRENCY = 5;

/** A mail as a customer's client sends it: text and HTML, one sender per mail (the per-sender cap never applies). */
function customerMail(index: number, mailboxAddress: string) {
  return {
    from: `Customer ${index} <customer-${index}@bench.test>`,
    to: mailboxAddress,
    subject: `Printer on floor ${index % 7} is jammed again (${index})`,
    messageId: `<bench-${index}-${Date.now()}@client.bench.test>`,
    text: `Hello,\n\nthe printer shows error 41 and the tray light blinks.\n\nThanks,\nCustomer ${index}`,
    html: `<p>Hello,</p><p>the printer shows <b>error 41</b> and the tray light blinks.</p><p>Thanks,<br>Customer ${index}</p>`,
  };
}

/**
 * Inbound mail into tickets: mails delivered over SMTP to the notification service's listener, each
 * counted when its ticket is committed and its `ticket.created` event published (the outbox drained).
 * All five services but realtime run, with a local SMTP sink for the acknowledgements the new
 * tickets send. The baseline is one process doing the least the job needs: smtp-server accepting the
 * same mails, mailparser parsing them and one INSERT per mail into PostgreSQL.
 */
export async function inboundThroughput(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const sink = await FaultSmtpSink.start(await freePort());
  const inboundPort = await freePort();
  const stack = await BenchStack.start('inbound', ['ticket', 'gateway', 'ai-proxy', 'notification'], {
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(sink.port),
    DEFAULT_FROM_EMAIL: 'Helpdesk <support@bench.test>',
    INBOUND_SMTP_PORT: String(inboundPort),
    INBOUND_SMTP_HOST: '127.0.0.1',
  });
  const database = await stack.connectDatabase();
  try {
    const admin = await stack.signup();
    const mailboxAddress = 'help@bench.test';
    const created = await fetch(`${stack.url('gateway')}/api/v1/mailboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ address: mailboxAddress }),
    });
    if (created.status !== 201) throw new Error(`mailbox creation failed: ${created.status} ${await created.text()}`);

    const count = options.inboundMails;
    // Every query of this client is a transaction of the bench database too: counted, to leave them out of the services' count.
    let ownQueries = 0;
    const settled = async () => {
      ownQueries++;
      const { rows } = await database.query(
        `SELECT (SELECT count(*) FROM helpdesk.tickets WHERE channel = 'email')::int AS tickets,
                (SELECT count(*) FROM helpdesk.outbox WHERE published_at IS NULL)::int AS unpublished`,
      );
      return rows[0] as { tickets: number; unpublished: number };
    };
    // A few mails first, so connections, caches and JIT are warm before the clock starts.
    const warmup = 20;
    await send(inboundPort, Array.from({ length: warmup }, (_, index) => customerMail(-1 - index, mailboxAddress)));
    await waitFor('the warm-up tickets', async () => (await settled()).tickets >= warmup && (await settled()).unpublished === 0, 120_000, 50);

    // PostgreSQL transactions per mail (commits and rollbacks of the bench database, statements outside a transaction
    // each count one): a count that other load on the machine does not move, unlike CPU time. Idle backends report
    // theirs within 10 s, hence the waits; the services' background rate (pollers, leases) is measured in the first.
    const transactions = async () => {
      ownQueries++;
      const { rows } = await database.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`);
      return { total: Number((rows[0] as { n: string }).n), own: ownQueries, at: performance.now() };
    };
    const statsSettle = () => new Promise((resolve) => setTimeout(resolve, 11_000));
    await statsSettle();
    const idleFrom = await transactions();
    await statsSettle();
    const idleTo = await transactions();
    const backgroundPerMs = Math.max(0, idleTo.total - idleFrom.total - (idleTo.own - idleFrom.own)) / (idleTo.at - idleFrom.at);

    const meter = CpuMeter.begin(Object.fromEntries([...stack.services].map(([name, service]) => [name, service.pid])));
    const startedAt = performance.now();
    await send(inboundPort, Array.from({ length: count }, (_, index) => customerMail(index, mailboxAddress)));
    const acceptedAt = performance.now();
    await waitFor(`${count} mail tickets committed and published`, async () => {
      const state = await settled();
      return state.tickets >= warmup + count && state.unpublished === 0;
    }, 600_000, 20);
    const doneAt = performance.now();
    const cpuMsPerMail = meter.perUnit(count);
    const ioCallsPerMail = meter.ioCallsPerUnit(count);
    const platformRate = Math.round(count / ((doneAt - startedAt) / 1000));
    await statsSettle();
    const after = await transactions();
    const sqlTransactionsPerMail = Math.round((10 * (after.total - idleTo.total - (after.own - idleTo.own) - backgroundPerMs * (after.at - idleTo.at))) / count) / 10;

    const baseline = await startScript('bench/baseline/smtp-pg.ts', { DB_NAME: stack.database.name });
    const baselineMeter = CpuMeter.begin({ baseline: baseline.child.pid });
    const baselineStartedAt = performance.now();
    let baselineCpu: Record<string, number>;
    try {
      await send(baseline.port, Array.from({ length: count }, (_, index) => customerMail(index, mailboxAddress)));
      // Read before the baseline stops: its database connections end with it and their CPU would be missed.
      baselineCpu = baselineMeter.perUnit(count);
    } finally {
      await baseline.stop();
    }
    const baselineSeconds = (performance.now() - baselineStartedAt) / 1000;
    const baselineRate = Math.round(count / baselineSeconds);

    const rows: Row[] = [
      {
        benchmark: 'inbound',
        measure: `${count} mails over SMTP to tickets committed and published, mails/s (${CONCURRENCY} connections)`,
        platform: String(platformRate),
        baseline: `${baselineRate} (smtp-server + mailparser + pg)`,
        ratio: ratio(platformRate, baselineRate),
        target: `>= ${TARGET_PER_SECOND}/s`,
        met: platformRate >= TARGET_PER_SECOND ? 'yes' : 'no',
      },
      { benchmark: 'inbound', measure: `CPU ms per mail: ${breakdown(cpuMsPerMail)}`, platform: String(cpuMsPerMail.total), baseline: `${baselineCpu.total} (${breakdown(baselineCpu)})`, ratio: '', target: '', met: '' },
      { benchmark: 'inbound', measure: `system calls per mail: ${breakdown(ioCallsPerMail)}`, platform: String(ioCallsPerMail.total), baseline: '', ratio: '', target: '', met: '' },
      {
        benchmark: 'inbound',
        measure: 'PostgreSQL transactions per mail (all services; a statement outside a transaction counts one)',
        platform: String(sqlTransactionsPerMail),
        baseline: '1 (one INSERT)',
        ratio: '',
        target: '',
        met: '',
      },
    ];
    return {
      rows,
      results: { mails: count, concurrency: CONCURRENCY, acceptedSeconds: (acceptedAt - startedAt) / 1000, platformSeconds: (doneAt - startedAt) / 1000, platformRate, baselineRate, cpuMsPerMail, ioCallsPerMail, sqlTransactionsPerMail, baselineCpuMsPerMail: baselineCpu },
    };
  } finally {
    await database.end();
    await stack.stop();
    await sink.stop();
  }
}

async function send(port: number, mails: ReturnType<typeof customerMail>[]): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONCURRENCY, maxMessages: Infinity });
  try {
    await Promise.all(mails.map((mail) => transport.sendMail(mail)));
  } finally {
    transport.close();
  }
}
