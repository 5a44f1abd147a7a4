import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// The config modules directly, not @helpdesk/common's index, which would load NestJS and every client for nothing.
import { assertServiceNatsUser, loadConfig } from '../../libs/common/src/config/load-config.js';
import type { ServiceConfig } from '../../libs/common/src/config/service-config.js';
import { AiProxyConfig } from '../../apps/ai-proxy/src/ai-proxy.config.js';
import { GatewayConfig } from '../../apps/gateway/src/gateway.config.js';
import { NotificationConfig } from '../../apps/notification/src/notification.config.js';
import { RealtimeConfig } from '../../apps/realtime/src/realtime.config.js';
import { TicketConfig } from '../../apps/ticket/src/ticket.config.js';
import { CHART, ROOT, SCENARIOS, k8sTools, parseObjects, run, type K8sObject } from './manifests.js';

// The services' own configuration classes judge what the manifests give them: a variable the
// chart spells wrong or formats differently would otherwise only show as a crash-looping pod.
const CONFIG_CLASSES: Record<string, new () => ServiceConfig> = {
  gateway: GatewayConfig,
  ticket: TicketConfig,
  notification: NotificationConfig,
  realtime: RealtimeConfig,
  'ai-proxy': AiProxyConfig,
};

// Plausible contents of the Secrets the manifests refer to.
const SECRET_VALUES: Record<string, string> = {
  SECRET_KEY: 'Zx8vQm2LrT5wYk9NpB4cHs7DjF1gAe6U3oIiKlMnOpQr',
  HEALTH_DETAILS_TOKEN: 'health-details-token-0123456789',
  REDIS_URL: 'redis://:password@redis:6379/0',
  NATS_URL: 'nats://service:password@nats:4222',
  DB_PASSWORD: 'password',
  EMAIL_HOST_PASSWORD: 'password',
  AI_API_KEY: 'key',
  // Seeds of keys made for this test only (the shape npm run nats:public-keys prints).
  INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: 'SAAANU3GZLL4KZRHBWBHAYCNSNF2DL6XY6FNDKQWAKGTMIFL2NA37CEXOY',
  INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: 'SOAMADLCTXP4VVIVU3PSH2GWZPSYSF4MVMJZNYZLKNZDUPYXSS7UQ3UK2M',
};

let tools: { helm: string; kubectl: string };
beforeAll(() => {
  tools = k8sTools();
});

/** The environment Kubernetes would give a container: its ConfigMaps, then its own variables. */
function containerEnvironment(objects: K8sObject[], container: K8sObject): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === source.configMapRef?.name);
    Object.assign(env, map?.data ?? {});
  }
  for (const variable of container.env ?? []) {
    env[variable.name] = variable.valueFrom?.secretKeyRef ? SECRET_VALUES[variable.name] ?? 'secret' : String(variable.value ?? '');
  }
  return env;
}

function configErrors(objects: K8sObject[]): string[] {
  const errors: string[] = [];
  for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
    const service = deployment.metadata.labels['app.kubernetes.io/component'];
    const container = deployment.spec.template.spec.containers[0];
    const source = `${ROOT}/${container.command[1].replace(/^dist\//, '').replace(/\.js$/, '.ts')}`;
    if (!existsSync(source)) errors.push(`${service}: command runs ${container.command[1]}, which no source builds`);
    try {
      assertServiceNatsUser(loadConfig(CONFIG_CLASSES[service], containerEnvironment(objects, container)));
    } catch (error) {
      errors.push(`${service}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return errors;
}

const helmTemplate = (args: string[]) => {
  // Production defaults require the per-service NATS users' Secret.
  const result = run(tools.helm, ['template', 'helpdesk', CHART, '--set', 'nats.existingSecret=helpdesk-nats', ...args]);
  if (result.status !== 0) throw new Error(result.stderr);
  return parseObjects(result.stdout);
};

describe('the services accept the configuration the manifests give them', () => {
  it.each(['default', ...SCENARIOS])('with the chart and %s values', (scenario) => {
    expect(configErrors(helmTemplate(scenario === 'default' ? [] : ['-f', `${CHART}/ci/${scenario}-values.yaml`]))).toEqual([]);
  });

  it.each(['development', 'production'])('with the %s kustomize overlay', (overlay) => {
    const result = run(tools.kubectl, ['kustomize', `${ROOT}/k8s/overlays/${overlay}`]);
    expect(configErrors(parseObjects(result.stdout))).toEqual([]);
  });

  it('runs the migration commands that exist', () => {
    const job = helmTemplate([]).find((object) => object.kind === 'Job')!;
    const commands = [...job.spec.template.spec.initContainers, ...job.spec.template.spec.containers].map((container: K8sObject) => container.command[1]);
    for (const command of commands) expect(existsSync(`${ROOT}/${command.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`)).toBe(true);
  });

  it('with otel.endpoint set gives every service the OTLP endpoint and sampler it accepts, and egress to the collector', () => {
    const objects = helmTemplate(['--set', 'otel.endpoint=http://otel-collector.observability:4318', '--set', 'otel.sampler=parentbased_traceidratio', '--set', 'otel.samplerArg=0.25']);
    expect(configErrors(objects)).toEqual([]);
    for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
      const env = containerEnvironment(objects, deployment.spec.template.spec.containers[0]);
      expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
      const policy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === deployment.metadata.name)!;
      expect(policy.spec.egress.flatMap((rule: K8sObject) => rule.ports.map((port: K8sObject) => port.port))).toContain(4318);
    }
    // Off by default: no OpenTelemetry variable at all.
    const configMap = helmTemplate([]).find((object) => object.kind === 'ConfigMap' && object.metadata.name.endsWith('-config'))!;
    expect(Object.keys(configMap.data).filter((key) => key.startsWith('OTEL_'))).toEqual([]);
  });

  it('reports a value that the schema lets through but a service refuses', () => {
    expect(configErrors(helmTemplate(['--set', 'gateway.env.ACCESS_TOKEN_TTL_SECONDS=soon']))).toEqual([
      'gateway: Invalid configuration: ACCESS_TOKEN_TTL_SECONDS must be an integer number (got "soon")',
    ]);
  });
});
