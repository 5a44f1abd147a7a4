import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const CHART = `${ROOT}/helm/helpdesk`;
/** Oldest and newest Kubernetes the chart supports (Chart.yaml kubeVersion; the kubectl in the dev dependency). */
export const KUBE_VERSIONS = ['1.29.0', '1.35.0'];
export const SCENARIOS = ['minimal', 'production'];
export const SERVICES = ['gateway', 'ticket', 'notification', 'realtime', 'ai-proxy'];
export const PUBLIC_SERVICES = ['gateway', 'realtime'];

// Rendered manifests are arbitrary YAML; the checks below look into them.
export type K8sObject = Record<string, any>;

export function k8sTools(): { helm: string; kubectl: string } {
  return JSON.parse(execFileSync(process.execPath, [`${ROOT}/scripts/k8s-tools.mjs`], { encoding: 'utf8' }));
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[]): CommandResult {
  const { status, stdout, stderr } = spawnSync(command, args, { encoding: 'utf8', cwd: ROOT });
  return { status, stdout, stderr };
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0].message}`);
      return document.toJSON() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** kind -> the kubernetes-models class that validates it, and the interface the unknown-field check types it with. */
const MODELS: Record<string, { model?: { new (data: never): { validate(): void } }; module: string; type: string }> = {
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1', type: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1', type: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1', type: 'IService' },
  'v1/ServiceAccount': { model: ServiceAccount, module: 'kubernetes-models/v1', type: 'IServiceAccount' },
  'v1/PersistentVolumeClaim': { model: PersistentVolumeClaim, module: 'kubernetes-models/v1', type: 'IPersistentVolumeClaim' },
  'v1/Pod': { model: Pod, module: 'kubernetes-models/v1', type: 'IPod' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1', type: 'IDeployment' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1', type: 'IJob' },
  'batch/v1/CronJob': { model: CronJob, module: 'kubernetes-models/batch/v1', type: 'ICronJob' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, module: 'kubernetes-models/autoscaling/v2', type: 'IHorizontalPodAutoscaler' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1', type: 'IPodDisruptionBudget' },
  'networking.k8s.io/v1/Ingress': { model: Ingress, module: 'kubernetes-models/networking.k8s.io/v1', type: 'IIngress' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, module: 'kubernetes-models/networking.k8s.io/v1', type: 'INetworkPolicy' },
  // The JSON-schema validator of @kubernetes-models/gateway-api 0.5.1 (the last release for Node 20) cannot
  // resolve ObjectMeta, so an HTTPRoute is checked by its TypeScript interface only.
  'gateway.networking.k8s.io/v1/HTTPRoute': { module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1', type: 'IHTTPRoute' },
  'monitoring.coreos.com/v1/ServiceMonitor': { model: ServiceMonitor, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', type: 'IServiceMonitor' },
  'monitoring.coreos.com/v1/PrometheusRule': { model: PrometheusRule, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', type: 'IPrometheusRule' },
};

const describe = (object: K8sObject) => `${object.kind}/${object.metadata?.name}`;

/**
 * Validates every object against the Kubernetes JSON schemas (kubernetes-models), then against the
 * models' TypeScript interfaces: the schemas let unknown fields through (a misspelt `readinesProbe`
 * would pass), while TypeScript's excess-property check on object literals rejects them.
 */
export function schemaErrors(objects: K8sObject[]): string[] {
  const errors: string[] = [];
  const typed: Array<{ object: K8sObject; type: string; module: string }> = [];
  for (const object of objects) {
    const entry = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!entry) {
      errors.push(`${describe(object)}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      if (entry.model) new entry.model(object as never).validate();
    } catch (error) {
      errors.push(`${describe(object)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    typed.push({ object, type: entry.type, module: entry.module });
  }
  return [...errors, ...unknownFieldErrors(typed)];
}

const parsedDeclarations = new Map<string, ts.SourceFile>();

function unknownFieldErrors(typed: Array<{ object: K8sObject; type: string; module: string }>): string[] {
  if (typed.length === 0) return [];
  const imports = new Map<string, Set<string>>();
  for (const { module, type } of typed) imports.set(module, (imports.get(module) ?? new Set()).add(type));
  const source = [
    ...[...imports].map(([module, types]) => `import type { ${[...types].join(', ')} } from '${module}';`),
    ...typed.map(({ object, type }, index) => `export const object${index}: ${type} = ${JSON.stringify(object, null, 1)};`),
  ].join('\n');
  const fileName = `${ROOT}/test/deploy/__rendered_objects__.ts`;
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => (path === fileName ? source : readFile(path));
  host.fileExists = (path) => path === fileName || fileExists(path);
  host.getSourceFile = (path, language, ...rest) => {
    if (path === fileName) return ts.createSourceFile(path, source, language);
    // Declaration files are parsed once per process: most of a check's time otherwise goes to parsing them again.
    const cached = parsedDeclarations.get(path) ?? getSourceFile(path, language, ...rest);
    if (cached) parsedDeclarations.set(path, cached);
    return cached;
  };
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const owner = source.split('\n').slice(0, line + 1).reverse().find((text) => text.startsWith('export const object'));
    const index = owner ? Number(/object(\d+)/.exec(owner)?.[1]) : -1;
    const subject = index >= 0 ? describe(typed[index].object) : 'rendered objects';
    // JSON keys are quoted in the generated source; the message reads better without the quotes.
    return `${subject}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/'"([^"]*)"'/g, "'$1'")}`;
  });
}

const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of'];
// The variables the config classes mark @Secret(), and anything named like one.
const SECRET_NAME = /^(SECRET_KEY|REDIS_URL)$|(_PASSWORD|_SECRET|_API_KEY|_TOKEN|_PRIVATE_KEY)$/;

function podSpecOf(object: K8sObject): K8sObject | undefined {
  if (object.kind === 'Pod') return object.spec;
  if (object.kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template?.spec;
  if (['Deployment', 'Job'].includes(object.kind)) return object.spec?.template?.spec;
  return undefined;
}

const componentOf = (object: K8sObject): string | undefined => object.metadata?.labels?.['app.kubernetes.io/component'];
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/**
 * What we require of every rendering (Helm scenarios and kustomize overlays alike): restricted
 * security, probes, resources, labels, disruption budgets, network policies, pinned images, no
 * secret in a ConfigMap. `secretValues` are values that must not appear in any ConfigMap.
 */
export function policyViolations(objects: K8sObject[], secretValues: string[] = []): string[] {
  const violations: string[] = [];
  const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const configData = Object.assign({}, ...byKind('ConfigMap').map((map) => map.data ?? {})) as Record<string, string>;
  const shutdownGraceSeconds = Math.ceil(Number(configData.SHUTDOWN_GRACE_PERIOD_MS ?? 10_000) / 1000);

  for (const object of objects) {
    const name = describe(object);
    for (const label of REQUIRED_LABELS) if (!object.metadata?.labels?.[label]) violations.push(`${name}: label ${label} missing`);

    const pod = podSpecOf(object);
    if (!pod) continue;
    if (pod.securityContext?.runAsNonRoot !== true) violations.push(`${name}: pod runAsNonRoot is not true`);
    if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') violations.push(`${name}: pod seccompProfile is not RuntimeDefault`);
    if (pod.automountServiceAccountToken !== false) violations.push(`${name}: service account token is mounted`);
    for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `${name} container ${container.name}`;
      const security = container.securityContext ?? {};
      if (security.runAsNonRoot !== true) violations.push(`${where}: runAsNonRoot is not true`);
      if (security.readOnlyRootFilesystem !== true) violations.push(`${where}: root filesystem is writable`);
      if (security.allowPrivilegeEscalation !== false) violations.push(`${where}: privilege escalation allowed`);
      if (!(security.capabilities?.drop ?? []).includes('ALL')) violations.push(`${where}: capabilities not dropped`);
      if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) violations.push(`${where}: no cpu/memory requests`);
      if (!container.resources?.limits?.memory) violations.push(`${where}: no memory limit`);
      const image: string = container.image ?? '';
      if (!/@sha256:[a-f0-9]{64}$/.test(image) && !/:[\w][\w.-]*$/.test(image.split('/').pop() ?? '')) violations.push(`${where}: image ${image} has no tag`);
      if (/:latest$/.test(image)) violations.push(`${where}: image ${image} uses latest`);
      for (const variable of container.env ?? []) {
        if (SECRET_NAME.test(variable.name) && variable.value !== undefined) violations.push(`${where}: ${variable.name} given in clear, not from a Secret`);
      }
    }

    if (object.kind === 'Deployment') {
      const container = pod.containers?.[0] ?? {};
      for (const [probe, path] of [['startupProbe', '/health/live'], ['readinessProbe', '/health/ready'], ['livenessProbe', '/health/live']] as const) {
        const settings = container[probe];
        if (!settings) violations.push(`${name}: no ${probe}`);
        else {
          if (settings.httpGet?.path !== path) violations.push(`${name}: ${probe} is not on ${path}`);
          if ((settings.timeoutSeconds ?? 1) < 3) violations.push(`${name}: ${probe} timeout under 3 s`);
        }
      }
      const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? NaN);
      if (Number.isNaN(preStop)) violations.push(`${name}: no preStop delay`);
      else if ((pod.terminationGracePeriodSeconds ?? 30) < preStop + shutdownGraceSeconds) {
        violations.push(`${name}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} < preStop ${preStop} + shutdown grace ${shutdownGraceSeconds}`);
      }
      if (!pod.volumes?.some((volume: K8sObject) => volume.emptyDir) || !container.volumeMounts?.some((mount: K8sObject) => mount.mountPath === '/tmp')) {
        violations.push(`${name}: no writable /tmp`);
      }

      const podLabels = object.spec.template.metadata?.labels;
      const hpa = byKind('HorizontalPodAutoscaler').find((scaler) => scaler.spec.scaleTargetRef.name === object.metadata.name);
      if (hpa && object.spec.replicas !== undefined) violations.push(`${name}: sets replicas although ${describe(hpa)} scales it`);
      const replicas = hpa ? hpa.spec.minReplicas ?? 1 : object.spec.replicas ?? 1;
      if (replicas > 1 && !byKind('PodDisruptionBudget').some((budget) => selects(budget.spec.selector?.matchLabels, podLabels))) {
        violations.push(`${name}: ${replicas} replicas without a PodDisruptionBudget`);
      }
      const policy = byKind('NetworkPolicy').find((candidate) => selects(candidate.spec.podSelector?.matchLabels, podLabels));
      if (!policy) violations.push(`${name}: no NetworkPolicy selects its pods`);
      else {
        if (!policy.spec.policyTypes?.includes('Ingress') || !policy.spec.policyTypes?.includes('Egress')) violations.push(`${describe(policy)}: does not restrict both ingress and egress`);
        const component = componentOf(object) ?? '';
        const openIngress = (policy.spec.ingress ?? []).some((rule: K8sObject) => !rule.from || rule.from.length === 0);
        if (openIngress && !PUBLIC_SERVICES.includes(component)) violations.push(`${describe(policy)}: ${component} takes ingress from anywhere`);
        if (!(policy.spec.egress ?? []).some((rule: K8sObject) => rule.ports?.some((port: K8sObject) => port.port === 53))) violations.push(`${describe(policy)}: no DNS egress`);
      }
      if (!byKind('Service').some((service) => selects(service.spec.selector, podLabels))) violations.push(`${name}: no Service selects its pods`);
    }
  }

  for (const [key, value] of Object.entries(configData)) {
    if (SECRET_NAME.test(key)) violations.push(`ConfigMap: holds ${key}`);
    if (/:\/\/[^/\s:@]+:[^/\s@]+@/.test(value)) violations.push(`ConfigMap: ${key} carries credentials in a URL`);
    for (const secret of secretValues) if (secret && value.includes(secret)) violations.push(`ConfigMap: ${key} holds a secret value`);
  }
  for (const ingress of byKind('Ingress')) {
    for (const path of ingress.spec.rules.flatMap((rule: K8sObject) => rule.http.paths)) {
      if (!byKind('Service').some((service) => service.metadata.name === path.backend.service.name)) violations.push(`${describe(ingress)}: ${path.path} routes to a missing Service`);
    }
  }
  const deployments = byKind('Deployment').map(componentOf);
  for (const service of SERVICES) if (!deployments.includes(service)) violations.push(`no Deployment for ${service}`);
  return violations;
}
