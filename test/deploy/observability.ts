import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { CHART, ROOT, parseObjects, run, type K8sObject } from './manifests.js';

/** The chart with its alerts and dashboard on, and the defaults otherwise: what the rule unit tests were written against. */
export const OBSERVABILITY_VALUES = ['--set', 'nats.existingSecret=helpdesk-nats', '--set', 'metrics.prometheusRule.enabled=true', '--set', 'metrics.grafanaDashboard.enabled=true'];
export const DASHBOARD_FILE = `${CHART}/dashboards/helpdesk.json`;

export function renderChart(helm: string, values: string[]): K8sObject[] {
  const result = run(helm, ['template', 'helpdesk', CHART, '--namespace', 'helpdesk', ...values]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseObjects(result.stdout);
}

export const prometheusRuleOf = (objects: K8sObject[]) => objects.find((object) => object.kind === 'PrometheusRule');
export const dashboardMapOf = (objects: K8sObject[]) => objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.endsWith('-dashboard'));

export interface Query {
  where: string;
  expr: string;
}

/** Every PromQL expression of the rules. */
export function ruleQueries(rule: K8sObject): Query[] {
  return rule.spec.groups.flatMap((group: K8sObject) => group.rules.map((entry: K8sObject) => ({ where: `${group.name}/${entry.alert ?? entry.record}`, expr: String(entry.expr) })));
}

/** Grafana's variables replaced by values Prometheus accepts, so the panels' PromQL can be checked as written. */
const GRAFANA_VARIABLES: Array<[RegExp, string]> = [
  [/\$__rate_interval/g, '5m'],
  [/\$__interval/g, '1m'],
  [/\$namespace/g, 'helpdesk'],
  [/\$service/g, '.*'],
];

/** Every PromQL expression of the dashboard: the panels' targets and the query variables' label_values() arguments. */
export function dashboardQueries(dashboard: K8sObject): Query[] {
  const queries: Query[] = [];
  const panels = (dashboard.panels ?? []).flatMap((panel: K8sObject) => [panel, ...(panel.panels ?? [])]);
  for (const panel of panels) {
    for (const target of panel.targets ?? []) queries.push({ where: `panel ${panel.id} "${panel.title}" ${target.refId}`, expr: String(target.expr) });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const selector = /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
    if (!selector) throw new Error(`variable ${variable.name}: ${query} is not label_values(<selector>, <label>)`);
    queries.push({ where: `variable ${variable.name}`, expr: selector });
  }
  return queries.map(({ where, expr }) => ({ where, expr: GRAFANA_VARIABLES.reduce((text, [pattern, value]) => text.replace(pattern, value), expr) }));
}

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names an expression selects. A hand-written scan, as no maintained PromQL parser exists
 * for Node; its input is the chart's own expressions, which `promtool check rules` has parsed already.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)) {
    const after = stripped.slice(match.index! + match[0].length).trimStart();
    if (after.startsWith('(') || PROMQL_KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}

/** The metric names the chart's alerts and dashboard (as rendered with OBSERVABILITY_VALUES) read. */
export function observedMetricNames(helm: string): string[] {
  const objects = renderChart(helm, OBSERVABILITY_VALUES);
  const dashboard = JSON.parse(dashboardMapOf(objects)!.data['helpdesk.json']);
  const queries = [...ruleQueries(prometheusRuleOf(objects)!), ...dashboardQueries(dashboard)];
  return [...new Set(queries.flatMap((query) => metricNames(query.expr)))].sort();
}

/** The names a Prometheus scrape offers: each `# TYPE` family, with a histogram's _bucket, _count and _sum series. */
export function exposedMetricNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
  }
  return names;
}

/**
 * Type errors of a JSON value checked against a TypeScript type: object literals get the excess-property
 * check, so an unknown or misspelt field is an error as well as a wrong type (as for the Kubernetes objects).
 */
export function typeErrors(value: unknown, type: string, module: string): string[] {
  const fileName = `${ROOT}/test/deploy/__checked_value__.ts`;
  // JSON spells a string enum member as its value ("absolute"), which TypeScript accepts only for the enum's template-literal type.
  const jsonOf = 'type Json<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T : T extends Array<infer U> ? Array<Json<U>> : { [K in keyof T]: Json<T[K]> };';
  const source = `import type { ${type} } from '${module}';\n${jsonOf}\nexport const value: Json<${type}> = ${JSON.stringify(value, null, 1)};\n`;
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => (path === fileName ? source : readFile(path));
  host.fileExists = (path) => path === fileName || fileExists(path);
  host.getSourceFile = (path, language, ...rest) => (path === fileName ? ts.createSourceFile(path, source, language) : getSourceFile(path, language, ...rest));
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
    return `line ${line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

/** GitHub's heading anchors of a Markdown file (lower case, punctuation dropped, spaces to hyphens). */
export function markdownAnchors(path: string): Set<string> {
  const anchors = new Set<string>();
  const withoutCode = readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return anchors;
}
