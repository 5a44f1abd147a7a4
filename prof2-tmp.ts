import { DataSource } from 'typeorm';
import { ReportsService } from './apps/ticket/src/reports/reports.service.js';
import { ReportFacts } from './apps/ticket/src/reports/report-facts.js';
import { ReportBacklog } from './apps/ticket/src/reports/report-backlog.js';
import { Organization } from './apps/ticket/src/organizations/organization.entity.js';
const ds = new DataSource({ type: 'postgres', host: '127.0.0.1', username: 'postgres', database: 'helpdesk_test_bench_reports_3d2c66f7', entities: [Organization], schema: 'helpdesk', poolSize: 10 });
await ds.initialize();
const [{ id: orgId }] = await ds.query('SELECT id FROM helpdesk.organizations LIMIT 1');
const [{ id: userId }] = await ds.query("SELECT id FROM helpdesk.users WHERE role = 'admin' LIMIT 1");
const service = new ReportsService(ds, { verifyStaff: async () => ({ orgId, userId, role: 'admin' }) } as never, new ReportFacts(ds), new ReportBacklog(ds));
const proto = Object.getPrototypeOf(service);
for (const name of ['scope', 'cells', 'reopened', 'backlog', 'csat', 'names']) {
  const original = proto[name];
  proto[name] = async function (...args: unknown[]) { const t = performance.now(); try { return await original.apply(this, args); } finally { console.log('   ', name, Math.round(performance.now() - t)); } };
}
const day = (d: number) => new Date(Date.now() - d * 86400000).toISOString().slice(0, 10);
for (const [from, interval] of [[6, 'day'], [29, 'day'], [364, 'week']] as const) {
  for (let run = 0; run < 2; run++) {
    const t = performance.now();
    await service.overview({ principal: {} as never, from: day(from), to: day(0), interval });
    console.log(from, 'total', Math.round(performance.now() - t));
  }
}
const t = performance.now();
let cursor: string | undefined; let rows = 0;
do { const page = await service.exportPage({ principal: {} as never, from: day(6), to: day(0), cursor }); rows += page.rows.length; cursor = page.nextCursor ?? undefined; } while (cursor);
console.log('export 7d rows', rows, Math.round(performance.now() - t));
await ds.destroy();
