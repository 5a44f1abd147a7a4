import type { BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium } from '../../test/support/browser.js';
import { freePort, waitFor } from '../../test/support/index.js';
import { en } from '../../apps/web/src/i18n/en.js';
import type { Row } from '../lib/report.js';
import { BenchStack } from '../lib/stack.js';
import { copyTickets } from './listing.js';
import type { BenchOptions } from '../run.js';

const TARGET_QUEUE_COLD_MS = 1000;
const TARGET_TICKET_WARM_MS = 300;
/** The queue's first page (apps/web queue-filters: limit 50). */
const QUEUE_ROWS = 50;
const CUSTOMERS = 200;
const AGENTS = 5;
const COMMENTS_PER_TICKET = 4;
const PASSWORD = 'correct horse battery staple';
/** Warm ticket opens per browser context, each of a different ticket (its data not yet cached). */
const WARM_OPENS_PER_RUN = 3;

// The console's own accessible names: the queue list and the conversation section are what a person sees.
const QUEUE_LIST = `ul[aria-label="${en.queue.list}"]`;
const CONVERSATION = `section[aria-label="${en.ticket.conversation}"]`;

// The functions given to page.evaluate run in the browser; the server typecheck has no DOM library.
declare const document: any;

interface Samples {
  queueCold: QueueTimeline[];
  queueWarm: QueueTimeline[];
  ticketCold: number[];
  ticketWarm: number[];
}

/** Nearest-rank percentile: the samples are few (one per run), a histogram would add nothing. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
}

/**
 * Encoded (compressed, as on the wire) bytes of every script the page fetched from the network while
 * `work` ran and until no script was in flight for half a second (lazy chunks a page loads after it
 * shows). Not 'networkidle': the signed-in console keeps a request open (its socket) and never idles.
 */
async function scriptBytesDuring(page: Page, work: () => Promise<unknown>): Promise<number> {
  const pending: Promise<number>[] = [];
  let inFlight = 0;
  let lastChange = performance.now();
  const onRequest = (request: Request) => {
    if (request.resourceType() !== 'script') return;
    inFlight += 1;
    lastChange = performance.now();
  };
  const onDone = (request: Request, finished: boolean) => {
    if (request.resourceType() !== 'script') return;
    inFlight -= 1;
    lastChange = performance.now();
    if (finished) pending.push(request.sizes().then((sizes) => sizes.responseBodySize));
  };
  const onFinished = (request: Request) => onDone(request, true);
  const onFailed = (request: Request) => onDone(request, false);
  page.on('request', onRequest);
  page.on('requestfinished', onFinished);
  page.on('requestfailed', onFailed);
  try {
    await work();
    await waitFor('the page to stop loading scripts', async () => inFlight === 0 && performance.now() - lastChange > 500, 30_000, 100);
  } finally {
    page.off('request', onRequest);
    page.off('requestfinished', onFinished);
    page.off('requestfailed', onFailed);
  }
  return (await Promise.all(pending)).reduce((sum, bytes) => sum + bytes, 0);
}

/** Where a queue load's time went, in ms since navigation start: when each step had its answer. */
interface QueueTimeline {
  ready: number;
  html: number;
  lastScript: number;
  refresh: number;
  me: number;
  list: number;
}

/**
 * Navigates to the queue and returns the page's own clock (ms since navigation start) at the first
 * frame where the first page of rows is in the DOM and the first row's link takes focus, with the
 * ends of the steps before it from the Resource Timing entries.
 */
async function openQueue(page: Page, url: string): Promise<QueueTimeline> {
  await page.goto(`${url}/tickets`, { waitUntil: 'commit' });
  const ready = await page.waitForFunction(
    ({ list, rows }) => {
      const items = document.querySelectorAll(`${list} > li`);
      if (items.length < rows) return false;
      const link = items[0]!.querySelector('a');
      link?.focus();
      return link && document.activeElement === link ? performance.now() : false;
    },
    { list: QUEUE_LIST, rows: QUEUE_ROWS },
    { polling: 'raf', timeout: 60_000 },
  );
  const entries = await page.evaluate(() => [
    ...(performance as any).getEntriesByType('navigation').map((entry: any) => ({ name: 'document', type: 'navigation', end: entry.responseEnd })),
    ...performance.getEntriesByType('resource').map((entry: any) => ({ name: entry.name, type: entry.initiatorType, end: entry.responseEnd })),
  ]);
  const endOf = (match: (entry: { name: string; type: string }) => boolean) => Math.round(Math.max(0, ...entries.filter(match).map((entry) => entry.end)));
  return {
    ready: Math.round((await ready.jsonValue()) as number),
    html: endOf((entry) => entry.type === 'navigation'),
    lastScript: endOf((entry) => entry.type === 'script' || entry.name.endsWith('.js')),
    refresh: endOf((entry) => entry.name.includes('/api/v1/auth/refresh')),
    me: endOf((entry) => entry.name.endsWith('/api/v1/me')),
    list: endOf((entry) => entry.name.includes('/api/v1/tickets?')),
  };
}

/** Clicks the queue's row `index` and times, in the page, until that ticket's conversation is rendered. */
async function openTicket(page: Page, index: number): Promise<number> {
  // No function is declared inside these callbacks: tsx would wrap it in a helper the page does not have.
  const started = await page.evaluate(
    ({ list, index }) => {
      const link = document.querySelectorAll(`${list} > li a`)[index];
      if (!link) throw new Error(`no row ${index} in the queue`);
      const now = performance.now();
      link.click();
      return now;
    },
    { list: QUEUE_LIST, index },
  );
  const shown = await page.waitForFunction((conversation) => (document.querySelector(`${conversation} article`) ? performance.now() : false), CONVERSATION, { polling: 'raf', timeout: 60_000 });
  return ((await shown.jsonValue()) as number) - started;
}

/**
 * The web console in Chromium against the built stack (gateway serving dist/web and proxying
 * /socket.io to realtime, ticket service, PostgreSQL) with one organization of many tickets:
 * navigation to a usable queue and click to a shown thread, cold and warm, and the JavaScript each
 * route transfers.
 */
export async function consoleBench(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const stack = await BenchStack.start('console', ['ticket', 'realtime'], { RATE_LIMIT_LOGIN_PER_MINUTE: '100000', RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '100000' });
  const client = await stack.connectDatabase();
  const browser = await launchChromium();
  try {
    // The refresh cookie is honoured only from a trusted origin, so the gateway's address is fixed before it starts.
    const gatewayPort = await freePort();
    const url = `http://127.0.0.1:${gatewayPort}`;
    await stack.startService('gateway', { GATEWAY_PORT: String(gatewayPort), CSRF_TRUSTED_ORIGINS: url, APP_BASE_URL: url, REALTIME_PROXY_URL: stack.url('realtime') });
    const admin = await stack.signup();

    // The organization's people; the agents get the admin's password hash, so they can log in without an invitation round trip.
    const agentEmail = 'agent-1@console-bench.test';
    await client.query(
      `INSERT INTO helpdesk.users (organization_id, email, name, role, password_hash)
       SELECT $1, 'agent-' || n || '@console-bench.test', 'Agent ' || n, 'agent', (SELECT password_hash FROM helpdesk.users WHERE id = $2) FROM generate_series(1, $3) AS n`,
      [admin.orgId, admin.userId, AGENTS],
    );
    await client.query(
      `INSERT INTO helpdesk.users (organization_id, email, name, role)
       SELECT $1, 'customer-' || n || '@console-bench.test', 'Customer ' || n, 'customer' FROM generate_series(1, $2) AS n`,
      [admin.orgId, CUSTOMERS],
    );
    const people = await client.query<{ role: string; ids: string[] }>(`SELECT role, array_agg(id) AS ids FROM helpdesk.users WHERE organization_id = $1 GROUP BY role`, [admin.orgId]);
    const idsOf = (role: string) => people.rows.find((row) => row.role === role)?.ids ?? [];
    const loadStarted = performance.now();
    const loaded = await copyTickets(client, [{ id: admin.orgId, agents: [...idsOf('agent'), admin.userId], customers: idsOf('customer'), tickets: options.consoleTickets }]);
    // A short thread on every ticket: replies alternate between the requester and an agent, the last one an internal note.
    await client.query(
      `INSERT INTO helpdesk.comments (organization_id, ticket_id, author_id, body, internal, created_at)
       SELECT t.organization_id, t.id, CASE WHEN n % 2 = 1 THEN t.requester_id ELSE coalesce(t.assignee_id, $2) END,
              '<p>Message ' || n || ' about ticket #' || t.number || ': ' || t.subject || '. Could you check the logs and reply?</p>',
              n = $3, t.created_at + n * interval '1 hour'
       FROM helpdesk.tickets t, generate_series(1, $3) AS n WHERE t.organization_id = $1`,
      [admin.orgId, admin.userId, COMMENTS_PER_TICKET],
    );
    await client.query('ANALYZE helpdesk.comments');
    const loadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;
    console.log(`  loaded ${loaded} tickets with ${COMMENTS_PER_TICKET} comments each in ${loadSeconds} s`);

    /** A fresh browser context (empty cache) holding the agent's refresh cookie, as after a login. */
    const signedInContext = async (): Promise<BrowserContext> => {
      const response = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: agentEmail, password: PASSWORD }) });
      if (response.status !== 200 && response.status !== 201) throw new Error(`agent login failed: ${response.status} ${await response.text()}`);
      const cookies = response.headers.getSetCookie().map((header) => {
        const [pair, ...attributes] = header.split(';').map((part) => part.trim());
        const [name, ...value] = pair!.split('=');
        const path = attributes.find((attribute) => attribute.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
        return { name: name!, value: value.join('='), domain: '127.0.0.1', path, httpOnly: true, secure: true, sameSite: 'Strict' as const };
      });
      if (!cookies.length) throw new Error('the login answer set no refresh cookie');
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addCookies(cookies);
      return context;
    };

    // JavaScript per route, each in a new context (nothing cached): the login page, the queue, a ticket opened directly.
    const javascript: Record<string, number> = {};
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      javascript.login = await scriptBytesDuring(page, async () => {
        await page.goto(`${url}/login`);
        await page.getByLabel(en.auth.email).waitFor();
      });
      await context.close();
    }
    let ticketIdForDirectOpen = '';
    {
      const context = await signedInContext();
      const page = await context.newPage();
      javascript.queue = await scriptBytesDuring(page, () => openQueue(page, url));
      ticketIdForDirectOpen = (await page.locator(`${QUEUE_LIST} > li a`).first().getAttribute('href'))!.split('/').pop()!;
      javascript['ticket, opened from the queue (added)'] = await scriptBytesDuring(page, () => openTicket(page, 0));
      await context.close();
    }
    {
      const context = await signedInContext();
      const page = await context.newPage();
      javascript.ticket = await scriptBytesDuring(page, async () => {
        await page.goto(`${url}/tickets/${ticketIdForDirectOpen}`);
        await page.locator(`${CONVERSATION} article`).first().waitFor();
      });
      await context.close();
    }

    // Warm-up: one unmeasured pass, so the services' JIT and connection pools are not charged to the first run.
    const samples: Samples = { queueCold: [], queueWarm: [], ticketCold: [], ticketWarm: [] };
    const runs = options.consoleRuns;
    /** One run in a new context: cold queue, cold ticket, warm tickets, warm queue. A script error in the page fails the run with its message. */
    const measureRun = async (run: number) => {
      const context = await signedInContext();
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      try {
        const queueCold = await openQueue(page, url);
        const rowBase = (run + 1) * (1 + WARM_OPENS_PER_RUN);
        const ticketCold = await openTicket(page, rowBase % QUEUE_ROWS);
        const ticketWarm: number[] = [];
        for (let open = 1; open <= WARM_OPENS_PER_RUN; open += 1) {
          await page.goBack();
          await page.locator(`${QUEUE_LIST} > li`).nth(QUEUE_ROWS - 1).waitFor();
          ticketWarm.push(await openTicket(page, (rowBase + open) % QUEUE_ROWS));
        }
        const queueWarm = await openQueue(page, url);
        if (pageErrors.length) throw new Error('the console raised errors');
        return { queueCold, queueWarm, ticketCold, ticketWarm };
      } catch (error) {
        throw new Error(`${(error as Error).message}; errors in the page: ${pageErrors.join('; ') || 'none'}`, { cause: error });
      } finally {
        await context.close();
      }
    };
    for (let run = -1; run < runs; run += 1) {
      const { queueCold, queueWarm, ticketCold, ticketWarm } = await measureRun(run);
      if (run < 0) continue;
      samples.queueCold.push(queueCold);
      samples.queueWarm.push(queueWarm);
      samples.ticketCold.push(ticketCold);
      samples.ticketWarm.push(...ticketWarm);
      console.log(`  run ${run + 1}/${runs}: queue cold ${queueCold.ready} ms, warm ${queueWarm.ready} ms; ticket cold ${Math.round(ticketCold)} ms, warm ${ticketWarm.map(Math.round).join('/')} ms`);
    }

    const benchmark = `console, ${loaded.toLocaleString('en-US')} tickets`;
    const rows: Row[] = [];
    const timing = (measure: string, values: number[], target?: { ms: number }) => {
      for (const p of [50, 95] as const) {
        const value = percentile(values, p);
        const judged = target && p === 95;
        rows.push({
          benchmark,
          measure: `${measure}, ${p === 50 ? 'median' : 'p95'} ms (${values.length} samples)`,
          platform: String(value),
          baseline: '',
          ratio: '',
          target: judged ? `< ${target.ms} ms` : '',
          met: judged ? (value < target.ms ? 'yes' : 'no') : '',
        });
      }
    };
    timing('navigation to usable queue (50 rows, first focusable), cold', samples.queueCold.map((timeline) => timeline.ready), { ms: TARGET_QUEUE_COLD_MS });
    timing('navigation to usable queue, warm', samples.queueWarm.map((timeline) => timeline.ready));
    for (const [label, timelines] of [['cold', samples.queueCold], ['warm', samples.queueWarm]] as const) {
      const median = (step: keyof QueueTimeline) => percentile(timelines.map((timeline) => timeline[step]), 50);
      rows.push({
        benchmark,
        measure: `queue ${label}, median ms from navigation start to: HTML ${median('html')}, last script ${median('lastScript')}, /auth/refresh ${median('refresh')}, /me ${median('me')}, ticket list ${median('list')}, usable`,
        platform: String(median('ready')),
        baseline: '',
        ratio: '',
        target: '',
        met: '',
      });
    }
    timing('click to thread shown, cold', samples.ticketCold);
    timing('click to thread shown, warm', samples.ticketWarm, { ms: TARGET_TICKET_WARM_MS });
    for (const [route, bytes] of Object.entries(javascript)) {
      rows.push({ benchmark, measure: `JavaScript transferred, ${route}, KB (encoded)`, platform: (bytes / 1024).toFixed(1), baseline: '', ratio: '', target: '', met: '' });
    }
    return { rows, results: { ticketsLoaded: loaded, commentsPerTicket: COMMENTS_PER_TICKET, loadSeconds, samplesMs: samples, javascriptBytes: javascript } };
  } finally {
    await browser.close();
    await client.end();
    await stack.stop();
  }
}
