/**
 * `npm run bench`: starts its own stack on private servers, runs each benchmark next to its baseline
 * in the same run, prints a table and writes the figures to bench/results/.
 *   npm run bench -- --only=create,startup   run some suites
 *   BENCH_DURATION_S=20 npm run bench        longer measurement windows (default 10 s)
 *   BENCH_INBOUND_MAILS=3000 npm run bench -- --only=inbound   more mails (default 1,000)
 *   BENCH_CONSOLE_RUNS=11 npm run bench -- --only=console   more browser runs (default 7)
 *   BENCH_CPU_PROFILE_DIR=/tmp/p npm run bench -- --only=create   a .cpuprofile per service
 *   BENCH_PIPELINE_SOCKETS=300 npm run bench -- --only=pipeline   all five services, mails, pushes, triage
 *   npm run bench -- --only=topology   the clustered topology (3 NATS nodes, 2 replicas each) beside one process per service
 *   BENCH_TICKETS=100000 npm run bench -- --only=automations   one automation scheduler pass, 10 automations (default 1,000,000 tickets)
 *   BENCH_TICKETS=20000 npm run bench -- --only=reports   GET /reports/overview and the CSV export (default 1,000,000 tickets)
 *   BENCH_WEBHOOK_EVENTS=2000 npm run bench -- --only=webhooks   webhook deliveries/s and event-to-receipt latency, 1 notification worker (default 10,000 events)
 *   npm run bench -- --only=limits   the ceilings of ticket numbering, the outbox relay and one JetStream stream (docs/capacity.md)
 */
import { fileURLToPath } from 'node:url';
// @ts-expect-error: the build script is plain JavaScript (scripts/lib), shared with npm start and npm test
import { build } from '../scripts/lib/build.mjs';
import { machine, printTable, writeResults, type Row } from './lib/report.js';
import { ticketCreation } from './suites/ticket-create.js';
import { startup } from './suites/startup.js';
import { listing } from './suites/listing.js';
import { mailThroughput } from './suites/mail.js';
import { realtimeFanout } from './suites/realtime.js';
import { consoleBench } from './suites/console.js';
import { inboundThroughput } from './suites/inbound.js';
import { pipeline } from './suites/pipeline.js';
import { topologyBench } from './suites/topology.js';
import { limits } from './suites/limits.js';
import { automationsBench } from './suites/automations.js';
import { reportsBench } from './suites/reports.js';
import { webhooksBench } from './suites/webhooks.js';

export interface BenchOptions {
  durationMs: number;
  warmupMs: number;
  startupRuns: number;
  tickets: number;
  organizations: number;
  mails: number;
  inboundMails: number;
  sockets: number;
  consoleTickets: number;
  consoleRuns: number;
  pipelineSockets: number;
  pipelineConcurrency: number;
}

type Suite = (options: BenchOptions) => Promise<{ rows: Row[]; results: Record<string, unknown> }>;

const SUITES: Record<string, Suite> = { create: ticketCreation, listing, mail: mailThroughput, realtime: realtimeFanout, startup, console: consoleBench, inbound: inboundThroughput, pipeline, topology: topologyBench, limits, automations: automationsBench, reports: reportsBench, webhooks: webhooksBench };

const options: BenchOptions = {
  durationMs: Number(process.env.BENCH_DURATION_S ?? 10) * 1000,
  warmupMs: Number(process.env.BENCH_WARMUP_S ?? 3) * 1000,
  startupRuns: Number(process.env.BENCH_STARTUP_RUNS ?? 3),
  tickets: Number(process.env.BENCH_TICKETS ?? 1_000_000),
  organizations: Number(process.env.BENCH_ORGANIZATIONS ?? 1_000),
  mails: Number(process.env.BENCH_MAILS ?? 2_000),
  inboundMails: Number(process.env.BENCH_INBOUND_MAILS ?? 1_000),
  sockets: Number(process.env.BENCH_SOCKETS ?? 5_000),
  consoleTickets: Number(process.env.BENCH_CONSOLE_TICKETS ?? 10_000),
  consoleRuns: Number(process.env.BENCH_CONSOLE_RUNS ?? 7),
  pipelineSockets: Number(process.env.BENCH_PIPELINE_SOCKETS ?? 300),
  pipelineConcurrency: Number(process.env.BENCH_PIPELINE_CONCURRENCY ?? 64),
};

const only = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length).split(',');
const selected = Object.keys(SUITES).filter((name) => !only || only.includes(name));
const unknown = only?.filter((name) => !(name in SUITES)) ?? [];
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}

// The suites run the built services: a stale or missing dist/ would measure other code than the checkout's.
await build();

const rows: Row[] = [];
const results: Record<string, unknown> = { machine: machine(), options, startedAt: new Date().toISOString() };
for (const name of selected) {
  console.log(`running ${name}...`);
  const outcome = await SUITES[name]!(options);
  rows.push(...outcome.rows);
  results[name] = outcome.results;
}
const { cores, memoryGiB, cpu } = machine();
console.log(`\nmachine: ${cores} cores (${cpu}), ${memoryGiB} GiB, Node ${process.version}`);
printTable(rows);
results.rows = rows;
console.log(`\nresults: ${writeResults(fileURLToPath(new URL('./results', import.meta.url)), results)}`);
