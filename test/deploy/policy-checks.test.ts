import { beforeAll, describe, expect, it } from 'vitest';
import { CHART, k8sTools, parseObjects, policyViolations, run, schemaErrors, type K8sObject } from './manifests.js';

// The checks that guard the chart and the manifests must themselves fail on broken objects:
// each case breaks one thing in a good rendering and expects exactly that to be reported.
let good: K8sObject[];
beforeAll(() => {
  const { helm } = k8sTools();
  const result = run(helm, ['template', 'helpdesk', CHART, '-f', `${CHART}/ci/production-values.yaml`]);
  if (result.status !== 0) throw new Error(result.stderr);
  good = parseObjects(result.stdout);
});

const broken = (change: (objects: K8sObject[]) => void) => {
  const objects = structuredClone(good);
  change(objects);
  return objects;
};
const find = (objects: K8sObject[], kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name)!;
const gatewayContainer = (objects: K8sObject[]) => find(objects, 'Deployment', 'helpdesk-gateway').spec.template.spec.containers[0];

describe('the schema check', () => {
  it('accepts the good rendering', () => {
    expect(schemaErrors(good)).toEqual([]);
  });

  it('reports a wrong type', () => {
    const errors = schemaErrors(broken((objects) => (find(objects, 'Service', 'helpdesk-gateway').spec.ports[0].port = 'eighty')));
    expect(errors.join('\n')).toContain('Service/helpdesk-gateway');
  });

  it('reports an unknown field that the JSON schemas let through', () => {
    const errors = schemaErrors(broken((objects) => (gatewayContainer(objects).readinesProbe = { httpGet: { path: '/health/ready', port: 'http' } })));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Deployment\/helpdesk-gateway: .*'readinesProbe' does not exist/);
  });

  it('reports an unknown field in a custom resource', () => {
    const errors = schemaErrors(broken((objects) => (find(objects, 'HTTPRoute', 'helpdesk').spec.hostName = 'typo')));
    expect(errors.join('\n')).toMatch(/HTTPRoute\/helpdesk: .*'hostName' does not exist/);
  });

  it('reports a kind it has no schema for', () => {
    expect(schemaErrors([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual(['Widget/w: no schema for example.com/v1 Widget']);
  });
});

describe('the policy check', () => {
  it('accepts the good rendering', () => {
    expect(policyViolations(good)).toEqual([]);
  });

  const cases: Array<[string, (objects: K8sObject[]) => void, string]> = [
    ['a missing readiness probe', (objects) => delete gatewayContainer(objects).readinessProbe, 'Deployment/helpdesk-gateway: no readinessProbe'],
    ['a probe timeout of 1 s', (objects) => (gatewayContainer(objects).livenessProbe.timeoutSeconds = 1), 'Deployment/helpdesk-gateway: livenessProbe timeout under 3 s'],
    ['a writable root filesystem', (objects) => (gatewayContainer(objects).securityContext.readOnlyRootFilesystem = false), 'Deployment/helpdesk-gateway container gateway: root filesystem is writable'],
    ['capabilities kept', (objects) => (gatewayContainer(objects).securityContext.capabilities.drop = []), 'Deployment/helpdesk-gateway container gateway: capabilities not dropped'],
    ['a root pod', (objects) => (find(objects, 'CronJob', 'helpdesk-backup').spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot = false), 'CronJob/helpdesk-backup: pod runAsNonRoot is not true'],
    ['no memory limit', (objects) => delete gatewayContainer(objects).resources.limits, 'Deployment/helpdesk-gateway container gateway: no memory limit'],
    ['a latest tag', (objects) => (gatewayContainer(objects).image = 'ghcr.io/helpdesk/helpdesk:latest'), 'Deployment/helpdesk-gateway container gateway: image ghcr.io/helpdesk/helpdesk:latest uses latest'],
    ['an untagged image', (objects) => (gatewayContainer(objects).image = 'ghcr.io/helpdesk/helpdesk'), 'Deployment/helpdesk-gateway container gateway: image ghcr.io/helpdesk/helpdesk has no tag'],
    ['a missing standard label', (objects) => delete find(objects, 'Service', 'helpdesk-ticket').metadata.labels['app.kubernetes.io/part-of'], 'Service/helpdesk-ticket: label app.kubernetes.io/part-of missing'],
    ['several replicas without a PodDisruptionBudget', (objects) => objects.splice(objects.indexOf(find(objects, 'PodDisruptionBudget', 'helpdesk-ticket')), 1), 'Deployment/helpdesk-ticket: 3 replicas without a PodDisruptionBudget'],
    ['a service without a NetworkPolicy', (objects) => objects.splice(objects.indexOf(find(objects, 'NetworkPolicy', 'helpdesk-ai-proxy')), 1), 'Deployment/helpdesk-ai-proxy: no NetworkPolicy selects its pods'],
    ['an internal service open to anyone', (objects) => (find(objects, 'NetworkPolicy', 'helpdesk-ticket').spec.ingress = [{ ports: [{ port: 'http' }] }]), 'NetworkPolicy/helpdesk-ticket: ticket takes ingress from anywhere'],
    ['a password in a ConfigMap', (objects) => (find(objects, 'ConfigMap', 'helpdesk-config').data.DB_PASSWORD = 'hunter2'), 'ConfigMap: holds DB_PASSWORD'],
    ['credentials in a ConfigMap URL', (objects) => (find(objects, 'ConfigMap', 'helpdesk-config').data.NATS_URL = 'nats://gateway:s3cret@nats:4222'), 'ConfigMap: NATS_URL carries credentials in a URL'],
    ['a secret given in clear', (objects) => gatewayContainer(objects).env.push({ name: 'SECRET_KEY', value: 'in-clear' }), 'Deployment/helpdesk-gateway container gateway: SECRET_KEY given in clear, not from a Secret'],
    ['replicas next to an autoscaler', (objects) => (find(objects, 'Deployment', 'helpdesk-realtime').spec.replicas = 3), 'Deployment/helpdesk-realtime: sets replicas although HorizontalPodAutoscaler/helpdesk-realtime scales it'],
    ['a grace period shorter than preStop plus the drain', (objects) => (find(objects, 'Deployment', 'helpdesk-ticket').spec.template.spec.terminationGracePeriodSeconds = 15), 'Deployment/helpdesk-ticket: terminationGracePeriodSeconds 15 < preStop 10 + shutdown grace 10'],
    ['an Ingress path to a missing Service', (objects) => (find(objects, 'Ingress', 'helpdesk').spec.rules[0].http.paths[0].backend.service.name = 'nope'), 'Ingress/helpdesk: /metrics routes to a missing Service'],
  ];
  it.each(cases)('reports %s', (_, change, violation) => {
    expect(policyViolations(broken(change))).toEqual([violation]);
  });

  it('reports a secret value copied into a ConfigMap', () => {
    const objects = broken((all) => (find(all, 'ConfigMap', 'helpdesk-config').data.APP_BASE_URL = 'https://x/?key=the-secret-value'));
    expect(policyViolations(objects, ['the-secret-value'])).toEqual(['ConfigMap: APP_BASE_URL holds a secret value']);
  });
});
