import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CHART, ROOT, k8sTools, policyViolations, run, schemaErrors, type K8sObject } from './manifests.js';
import {
  DASHBOARD_FILE,
  OBSERVABILITY_VALUES,
  dashboardMapOf,
  dashboardQueries,
  markdownAnchors,
  metricNames,
  prometheusRuleOf,
  renderChart,
  ruleQueries,
  typeErrors,
} from './observability.js';

const PRODUCTION = ['-f', `${CHART}/ci/production-values.yaml`];
const RUNBOOK = `${ROOT}/docs/runbook.md`;
// The chart's default names the runbook in this repository; operators set where they host their copy.
const DEFAULT_RUNBOOK_BASE = 'docs/runbook.md';
const ALERTS = [
  'HelpdeskServiceNotReady',
  'HelpdeskHighErrorRate',
  'HelpdeskHighLatency',
  'HelpdeskOutboxLag',
  'HelpdeskEventConsumerLag',
  'HelpdeskDeadLettersGrowing',
  'HelpdeskMailboxFailing',
  'HelpdeskMailQueueBacklog',
  'HelpdeskSlaBreachRate',
];

let helm: string;
let promtool: string;
let workDir: string;
beforeAll(async () => {
  helm = k8sTools().helm;
  // Installed on demand (Debian's prometheus package), as npm test's preparation does.
  const infrastructure = await import(`${ROOT}/scripts/lib/infrastructure.mjs`);
  await infrastructure.ensurePromtool();
  promtool = infrastructure.PROMTOOL_PATH;
  workDir = mkdtempSync(`${tmpdir()}/helpdesk-alerts-`);
}, 300_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const rulesOf = (rule: K8sObject): K8sObject[] => rule.spec.groups.flatMap((group: K8sObject) => group.rules);

/** The rule groups as a Prometheus rule file, written into the work directory. */
function writeRuleFile(name: string, groups: unknown): string {
  const path = `${workDir}/${name}`;
  writeFileSync(path, stringify({ groups }));
  return path;
}

describe('reading metric names out of PromQL', () => {
  it('finds the selected metrics and not functions, keywords, labels, strings or durations', () => {
    expect(metricNames('sum by (service, le) (rate(a_total{namespace="x", route!~"/health.*|b_total"}[5m])) / on (service) group_left b_seconds > 0.5 or vector(0)')).toEqual(['a_total', 'b_seconds']);
    expect(metricNames('histogram_quantile(0.99, sum without (pod) (irate(c_bucket[1m] offset 5m)))')).toEqual(['c_bucket']);
  });
});

describe('the alerts and the dashboard are off by default', () => {
  it('renders neither a PrometheusRule nor a dashboard ConfigMap with the default values', () => {
    const objects = renderChart(helm, ['--set', 'nats.existingSecret=helpdesk-nats']);
    expect(prometheusRuleOf(objects)).toBeUndefined();
    expect(dashboardMapOf(objects)).toBeUndefined();
  });
});

describe('the PrometheusRule', () => {
  let production: K8sObject[];
  let rule: K8sObject;
  beforeAll(() => {
    production = renderChart(helm, PRODUCTION);
    rule = prometheusRuleOf(renderChart(helm, OBSERVABILITY_VALUES))!;
  });

  it('is on in the production values, labelled for the Prometheus that selects it, and passes the chart checks', () => {
    const productionRule = prometheusRuleOf(production)!;
    expect(productionRule.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(schemaErrors(production)).toEqual([]);
    expect(policyViolations(production)).toEqual([]);
    expect(rulesOf(productionRule).every((entry) => entry.labels.team === 'support-platform')).toBe(true);
    expect(rulesOf(productionRule).every((entry) => entry.annotations.runbook_url.startsWith('https://docs.example.org/helpdesk/runbook.html#'))).toBe(true);
  });

  it('passes promtool check rules, with the default and the production values', () => {
    for (const [name, source] of [['defaults.yaml', rule], ['production.yaml', prometheusRuleOf(production)!]] as const) {
      const result = run(promtool, ['check', 'rules', writeRuleFile(name, source.spec.groups)]);
      expect(result.stdout + result.stderr).toContain(`SUCCESS: ${rulesOf(source).length} rules found`);
      expect(result.status).toBe(0);
    }
  });

  it('has each alert the operators need, one not-ready alert per service, each with a severity, a summary, a description and a for', () => {
    const alerts = rulesOf(rule);
    expect([...new Set(alerts.map((entry) => entry.alert))].sort()).toEqual([...ALERTS].sort());
    expect(alerts.filter((entry) => entry.alert === 'HelpdeskServiceNotReady').map((entry) => entry.labels.service).sort()).toEqual(['ai-proxy', 'gateway', 'notification', 'realtime', 'ticket']);
    for (const entry of alerts) {
      expect(['critical', 'warning'], entry.alert).toContain(entry.labels.severity);
      expect(entry.annotations.summary, entry.alert).toBeTruthy();
      expect(entry.annotations.description, entry.alert).toBeTruthy();
      expect(entry.for, entry.alert).toMatch(/^\d+[smh]$/);
      // Every expression is confined to the release's namespace.
      for (const name of metricNames(entry.expr)) expect(entry.expr, entry.alert).toContain(`${name}{namespace="helpdesk"`);
    }
  });

  it('links every alert to a section of docs/runbook.md that exists', () => {
    const anchors = markdownAnchors(RUNBOOK);
    for (const entry of rulesOf(rule)) {
      const [base, anchor] = String(entry.annotations.runbook_url).split('#');
      expect(base).toBe(DEFAULT_RUNBOOK_BASE);
      expect(anchor).toBe(entry.alert.toLowerCase());
      expect(anchors.has(anchor!), `docs/runbook.md has no section "${entry.alert}" (#${anchor})`).toBe(true);
    }
  });

  it('fires each alert on failing series and stays quiet on healthy ones (promtool test rules)', () => {
    writeRuleFile('rules.yaml', rule.spec.groups);
    const tests = `${workDir}/alert-rules.promtool.yaml`;
    copyFileSync(`${ROOT}/test/deploy/alert-rules.promtool.yaml`, tests);
    const result = run(promtool, ['test', 'rules', tests]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);

    // And the unit tests cover every alert both ways: firing, and an evaluation where it stays quiet.
    const cases = parse(readFileSync(tests, 'utf8')).tests.flatMap((test: K8sObject) => test.alert_rule_test) as Array<{ alertname: string; exp_alerts: unknown[] }>;
    for (const alert of ALERTS) {
      expect(cases.some((entry) => entry.alertname === alert && entry.exp_alerts.length > 0), `${alert} never fires in the unit tests`).toBe(true);
      expect(cases.some((entry) => entry.alertname === alert && entry.exp_alerts.length === 0), `${alert} is never shown quiet in the unit tests`).toBe(true);
    }
  });

  it('takes thresholds, durations, severities and extra labels from the values', () => {
    const tuned = prometheusRuleOf(
      renderChart(helm, [
        ...OBSERVABILITY_VALUES,
        '--set', 'metrics.prometheusRule.alerts.outboxLag.thresholdSeconds=600',
        '--set', 'metrics.prometheusRule.alerts.outboxLag.for=20m',
        '--set', 'metrics.prometheusRule.alerts.outboxLag.severity=page',
        '--set', 'metrics.prometheusRule.alerts.slaBreachRate.window=6h',
        '--set', 'metrics.prometheusRule.runbookBaseUrl=https://wiki.example.org/runbook/',
        '--set', 'metrics.prometheusRule.additionalAlertLabels.team=desk',
      ]),
    )!;
    const outbox = rulesOf(tuned).find((entry) => entry.alert === 'HelpdeskOutboxLag')!;
    expect(outbox.expr).toMatch(/> 600$/);
    expect(outbox).toMatchObject({ for: '20m', labels: { severity: 'page', team: 'desk' }, annotations: { runbook_url: 'https://wiki.example.org/runbook#helpdeskoutboxlag' } });
    expect(rulesOf(tuned).find((entry) => entry.alert === 'HelpdeskSlaBreachRate')!.expr).toContain('[6h]');
  });

  it('refuses a runbook address that is neither an http(s) URL nor the repository path docs/runbook.md', () => {
    const refused = run(helm, ['template', 'helpdesk', CHART, ...OBSERVABILITY_VALUES, '--set', 'metrics.prometheusRule.runbookBaseUrl=wiki/runbook']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('/metrics/prometheusRule/runbookBaseUrl');
  });

  it('is refused by the values schema with a threshold of the wrong kind', () => {
    const refused = run(helm, ['template', 'helpdesk', CHART, ...OBSERVABILITY_VALUES, '--set', 'metrics.prometheusRule.alerts.outboxLag.for=soon']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('/metrics/prometheusRule/alerts/outboxLag/for');
  });
});

describe('the Grafana dashboard', () => {
  let dashboardMap: K8sObject;
  let dashboard: K8sObject;
  beforeAll(() => {
    dashboardMap = dashboardMapOf(renderChart(helm, PRODUCTION))!;
    dashboard = JSON.parse(dashboardMap.data['helpdesk.json']);
  });

  it('is on in the production values as a ConfigMap the Grafana sidecar picks up, holding the chart file unchanged', () => {
    expect(dashboardMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(dashboardMap.metadata.annotations.grafana_folder).toBe('Helpdesk');
    expect(dashboardMap.metadata.namespace).toBe('monitoring');
    expect(dashboard).toEqual(JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')));
  });

  it("matches Grafana's dashboard schema (@grafana/schema), without unknown fields", () => {
    expect(typeErrors(dashboard, 'Dashboard', '@grafana/schema')).toEqual([]);
    // The check has teeth: a misspelt field and a wrong type are refused.
    expect(typeErrors({ ...dashboard, titel: 'x' }, 'Dashboard', '@grafana/schema').join('\n')).toMatch(/'"titel"' does not exist/);
    expect(typeErrors({ ...dashboard, schemaVersion: '39' }, 'Dashboard', '@grafana/schema').join('\n')).toContain("Type 'string' is not assignable to type 'number'");
  });

  it('lays out unique panels on the 24-column grid, each query on the selected Prometheus data source', () => {
    const panels: K8sObject[] = dashboard.panels;
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.expr, panel.title).toContain('namespace="$namespace"');
    }
    expect(dashboard.templating.list.map((variable: K8sObject) => variable.name)).toEqual(['datasource', 'namespace', 'service']);
  });

  it('shows requests, errors and latency per service, NATS and JetStream lag, queues, sockets, mail, SLA breaches and the outbox', () => {
    const shown = new Set(dashboardQueries(dashboard).flatMap((query) => metricNames(query.expr)));
    for (const metric of [
      'helpdesk_http_request_duration_seconds_count',
      'helpdesk_http_request_duration_seconds_bucket',
      'helpdesk_nats_request_duration_seconds_count',
      'helpdesk_event_consumer_pending',
      'helpdesk_event_consumer_ack_pending',
      'helpdesk_mail_queue_depth',
      'helpdesk_realtime_connected_sockets',
      'helpdesk_mail_sent_total',
      'helpdesk_mail_dead_letters_total',
      'helpdesk_sla_breaches_total',
      'helpdesk_outbox_lag_seconds',
      'helpdesk_mailboxes_failing',
    ]) {
      expect(shown.has(metric), metric).toBe(true);
    }
  });

  it("has only PromQL that Prometheus parses: every panel's and variable's query passes promtool check rules", () => {
    const queries = dashboardQueries(dashboard);
    const rules = queries.map((query, index) => ({ record: `helpdesk:dashboard_query_${index}`, expr: query.expr }));
    const result = run(promtool, ['check', 'rules', '--lint=none', writeRuleFile('dashboard-queries.yaml', [{ name: 'dashboard', rules }])]);
    expect(result.stdout + result.stderr, queries.map((query, index) => `${index}: ${query.where}`).join('\n')).toContain(`SUCCESS: ${rules.length} rules found`);
    // And a broken one would be caught.
    const broken = run(promtool, ['check', 'rules', writeRuleFile('broken.yaml', [{ name: 'dashboard', rules: [{ record: 'helpdesk:broken', expr: 'sum by (service (rate(x[5m]))' }] }])]);
    expect(broken.status).not.toBe(0);
  });
});
