import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHART, KUBE_VERSIONS, SCENARIOS, k8sTools, parseObjects, policyViolations, run, schemaErrors, type K8sObject } from './manifests.js';

let helm: string;
beforeAll(() => {
  helm = k8sTools().helm;
});

// The defaults are production's, which need the per-service NATS users' Secret: the only value a default install must give.
const DEFAULT_REQUIRED = ['--set', 'nats.existingSecret=helpdesk-nats'];
const valuesArgs = (scenario: string) => (scenario === 'default' ? DEFAULT_REQUIRED : ['-f', `${CHART}/ci/${scenario}-values.yaml`]);
// A value that must end up in a Secret and nowhere else.
const SECRET_KEY = 'k8s-test-secret-key-0123456789abcdefghij';

function template(scenario: string, extra: string[] = []) {
  const result = run(helm, ['template', 'helpdesk', CHART, '--namespace', 'helpdesk', ...valuesArgs(scenario), ...extra]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseObjects(result.stdout);
}

describe('helm lint --strict', () => {
  for (const scenario of ['default', ...SCENARIOS]) {
    for (const kubeVersion of KUBE_VERSIONS) {
      it(`passes for the ${scenario} values on Kubernetes ${kubeVersion}`, () => {
        const result = run(helm, ['lint', '--strict', CHART, '--kube-version', kubeVersion, ...valuesArgs(scenario)]);
        expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
        expect(result.status).toBe(0);
      });
    }
  }

  it('refuses a Kubernetes older than the supported range', () => {
    const result = run(helm, ['template', 'helpdesk', CHART, '--kube-version', '1.28.0']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('incompatible with Kubernetes v1.28.0');
  });
});

describe.each(['default', ...SCENARIOS])('helm template with the %s values', (scenario) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = template(scenario, scenario === 'production' ? [] : ['--set', `secrets.secretKey=${SECRET_KEY}`]);
  });

  it('renders only objects that match the Kubernetes schemas, without unknown fields', () => {
    expect(schemaErrors(objects)).toEqual([]);
  });

  it('meets the deployment policies', () => {
    expect(policyViolations(objects, [SECRET_KEY])).toEqual([]);
  });

  it('runs the migrations once, as a pre-install and pre-upgrade hook, for both schemas', () => {
    const jobs = objects.filter((object) => object.kind === 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const commands = [...jobs[0].spec.template.spec.initContainers, ...jobs[0].spec.template.spec.containers].map((container: K8sObject) => container.command.join(' '));
    expect(commands).toEqual(['node dist/apps/ticket/src/database/migrate.js up', 'node dist/apps/notification/src/database/migrate.js up']);
  });

  it('has a helm test that asks the gateway Service for readiness', () => {
    const test = objects.find((object) => object.metadata.annotations?.['helm.sh/hook'] === 'test');
    expect(test?.spec.containers[0].command.join(' ')).toContain('http://helpdesk-gateway:8080/health/ready');
  });
});

describe('the helm test pod', () => {
  it('runs with node and succeeds once the gateway answers ready', async () => {
    const pod = template('default').find((object) => object.metadata.annotations?.['helm.sh/hook'] === 'test')!;
    const [node, ...args] = pod.spec.containers[0].command as string[];
    expect(node).toBe('node');
    const server = createServer((request, response) => response.writeHead(request.url === '/health/ready' ? 200 : 404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      // The Service name resolves only in the cluster: the same script, aimed at a stand-in gateway.
      const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`;
      const script = args.map((arg) => arg.replace('http://helpdesk-gateway:8080/health/ready', local));
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, script, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('exit', (code) => resolve({ code, output }));
      });
      expect(result).toEqual({ code: 0, output: `attempt 1: ${local} -> 200\n` });
    } finally {
      server.close();
    }
  });
});

describe('rendered scenarios', () => {
  it('routes /socket.io to realtime and /api and / to the gateway, and /metrics nowhere', () => {
    const objects = template('default');
    const ingress = objects.find((object) => object.kind === 'Ingress')!;
    const routes = Object.fromEntries(ingress.spec.rules[0].http.paths.map((path: K8sObject) => [path.path, path.backend.service.name]));
    expect(routes).toEqual({ '/metrics': 'helpdesk-blocked', '/socket.io': 'helpdesk-realtime', '/api': 'helpdesk-gateway', '/': 'helpdesk-gateway' });
    const blocked = objects.find((object) => object.kind === 'Service' && object.metadata.name === 'helpdesk-blocked')!;
    expect(blocked.spec.selector).toBeUndefined();
  });

  it('redirects /metrics to the console in the HTTPRoute', () => {
    const route = template('production').find((object) => object.kind === 'HTTPRoute')!;
    expect(route.spec.rules[0]).toEqual({
      matches: [{ path: { type: 'Exact', value: '/metrics' } }],
      filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/' }, statusCode: 302 } }],
    });
  });

  it('takes every secret from the existing Secrets in the production scenario and creates none', () => {
    const objects = template('production');
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    const refs = objects
      .filter((object) => object.kind === 'Deployment')
      .flatMap((deployment) => deployment.spec.template.spec.containers[0].env)
      .filter((variable: K8sObject) => variable.valueFrom?.secretKeyRef)
      .map((variable: K8sObject) => `${variable.name}=${variable.valueFrom.secretKeyRef.name}`);
    expect(new Set(refs)).toEqual(
      new Set(['SECRET_KEY=helpdesk-app', 'HEALTH_DETAILS_TOKEN=helpdesk-app', 'REDIS_URL=helpdesk-redis', 'NATS_URL=helpdesk-nats', 'DB_PASSWORD=helpdesk-db-app', 'EMAIL_HOST_PASSWORD=helpdesk-smtp', 'AI_API_KEY=helpdesk-ai', 'INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED=helpdesk-integrations-nats', 'INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED=helpdesk-integrations-nats']),
    );
    expect(objects.filter((object) => object.kind === 'HorizontalPodAutoscaler')).toHaveLength(5);
  });

  it("gives only the gateway the public NATS server's URL, keys and creds files (from integrationsNats.existingSecret), and egress to it", () => {
    const objects = template('production');
    const container = (component: string) => objects.find((object) => object.kind === 'Deployment' && object.metadata.name === `helpdesk-${component}`)!.spec.template.spec.containers[0];
    const gateway = container('gateway');
    const env = Object.fromEntries(gateway.env.map((variable: K8sObject) => [variable.name, variable.value ?? variable.valueFrom.secretKeyRef.key]));
    expect(env).toMatchObject({
      INTEGRATIONS_NATS_URL: 'nats://nats-public:4222',
      INTEGRATIONS_NATS_CREDS_FILE: '/etc/helpdesk/integrations-nats/bridge.creds',
      INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: '/etc/helpdesk/integrations-nats/system.creds',
      INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: 'account-signing-seed',
      INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: 'operator-signing-seed',
    });
    const gatewayPod = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'helpdesk-gateway')!.spec.template.spec;
    expect(gatewayPod.volumes.find((volume: K8sObject) => volume.name === 'integrations-nats').secret).toMatchObject({ secretName: 'helpdesk-integrations-nats' });
    for (const other of ['ticket', 'notification', 'realtime', 'ai-proxy']) expect(container(other).env.map((variable: K8sObject) => variable.name).filter((name: string) => name.startsWith('INTEGRATIONS_'))).toEqual([]);

    const refused = run(helm, ['template', 'helpdesk', CHART, '-f', `${CHART}/ci/production-values.yaml`, '--set', 'integrationsNats.existingSecret=']);
    expect(refused.stderr).toContain('integrationsNats.existingSecret is required with integrationsNats.url');
  });

  it('refuses to render for production without per-service NATS credentials, and renders a plain NATS URL for development', () => {
    const plain = ['template', 'helpdesk', CHART, '--set', 'secrets.secretKey=' + SECRET_KEY];
    const refused = run(helm, plain);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('nats.existingSecret is required when config.nodeEnv is production');
    const development = run(helm, [...plain, '--set', 'config.nodeEnv=development']);
    expect(development.stderr).toBe('');
    expect(parseObjects(development.stdout).find((object) => object.kind === 'ConfigMap')!.data.NATS_URL).toBe('nats://nats:4222');
  });

  it('gives each service the NATS URL of its own key when nats.existingSecret is set, and keeps it out of the ConfigMap', () => {
    const objects = template('default');
    const natsUrls = objects
      .filter((object) => object.kind === 'Deployment')
      .map((deployment) => deployment.spec.template.spec.containers[0].env.find((variable: K8sObject) => variable.name === 'NATS_URL').valueFrom.secretKeyRef);
    expect(natsUrls).toEqual(['ai-proxy', 'gateway', 'notification', 'realtime', 'ticket'].map((key) => ({ name: 'helpdesk-nats', key })));
    expect(objects.find((object) => object.kind === 'ConfigMap')!.data.NATS_URL).toBeUndefined();
  });

  it("caps V8's heap at three quarters of each container's memory limit, unless NODE_OPTIONS is set", () => {
    const heaps = (objects: K8sObject[]) =>
      Object.fromEntries(
        objects
          .filter((object) => object.kind === 'Deployment')
          .map((deployment) => [deployment.metadata.labels['app.kubernetes.io/component'], deployment.spec.template.spec.containers[0].env.filter((variable: K8sObject) => variable.name === 'NODE_OPTIONS').map((variable: K8sObject) => variable.value)]),
      );
    expect(heaps(template('default', ['--set', 'realtime.resources.limits.memory=2G', '--set', 'ticket.env.NODE_OPTIONS=--max-old-space-size=300']))).toEqual({
      'ai-proxy': ['--max-old-space-size=384'],
      gateway: ['--max-old-space-size=384'],
      notification: ['--max-old-space-size=384'],
      realtime: ['--max-old-space-size=1430'],
      ticket: ['--max-old-space-size=300'],
    });
    expect(run(helm, ['lint', CHART, '--set', 'gateway.resources.limits.memory=1T']).stdout).toContain("at '/gateway/resources/limits/memory'");
  });

  it('gives PostgreSQL egress only to the services and jobs that use it', () => {
    const objects = template('default');
    const withPostgres = objects
      .filter((object) => object.kind === 'NetworkPolicy')
      .filter((policy) => policy.spec.egress.some((rule: K8sObject) => rule.ports.some((port: K8sObject) => port.port === 5432)))
      .map((policy) => policy.metadata.name);
    expect(withPostgres.sort()).toEqual(['helpdesk-jobs', 'helpdesk-notification', 'helpdesk-ticket']);
  });

  it('sends ticket and notification through a pooler when one is set, and keeps the migrations and backups on PostgreSQL itself', () => {
    const pooled = ['--set', 'postgresql.pooler.host=helpdesk-db-pooler-rw', '--set', 'postgresql.pooler.port=6432', '--set', 'postgresql.pooler.preparedStatements=false'];
    const objects = template('default', [...pooled, '--set', 'backup.enabled=true', '--set-json', 'networkPolicy.egress.pooler.to=[{"podSelector":{"matchLabels":{"cnpg.io/poolerName":"helpdesk-db-pooler-rw"}}}]']);
    const envOf = (container: K8sObject) => Object.fromEntries((container.env ?? []).map((variable: K8sObject) => [variable.name, variable.value]));
    const deployment = (name: string) => objects.find((object) => object.kind === 'Deployment' && object.metadata.name === `helpdesk-${name}`)!;
    for (const name of ['ticket', 'notification']) {
      expect(envOf(deployment(name).spec.template.spec.containers[0])).toMatchObject({ DB_HOST: 'helpdesk-db-pooler-rw', DB_PORT: '6432' });
      const policy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === `helpdesk-${name}`)!;
      const rule = policy.spec.egress.find((candidate: K8sObject) => candidate.ports.some((port: K8sObject) => port.port === 6432));
      expect(rule.to).toEqual([{ podSelector: { matchLabels: { 'cnpg.io/poolerName': 'helpdesk-db-pooler-rw' } } }]);
      expect(policy.spec.egress.some((candidate: K8sObject) => candidate.ports.some((port: K8sObject) => port.port === 5432))).toBe(false);
    }
    const job = objects.find((object) => object.kind === 'Job')!;
    for (const container of [...job.spec.template.spec.initContainers, ...job.spec.template.spec.containers]) expect(envOf(container)).toMatchObject({ DB_HOST: 'postgresql', DB_PORT: '5432' });
    const backup = objects.find((object) => object.kind === 'CronJob')!;
    expect(JSON.stringify(backup)).not.toContain('pooler');
    const jobsPolicy = objects.find((object) => object.metadata.name === 'helpdesk-jobs')!;
    expect(jobsPolicy.spec.egress.some((rule: K8sObject) => rule.ports.some((port: K8sObject) => port.port === 5432))).toBe(true);
    const configMap = () => objects.find((object) => object.kind === 'ConfigMap' && object.data?.DB_POOL_SIZE)!;
    expect(configMap().data.DB_PREPARED_STATEMENTS).toBe('false');
    expect(schemaErrors(objects)).toEqual([]);

    // Without a pooler, PostgreSQL itself keeps the prepared statements whatever the pooler setting says.
    const direct = template('default', ['--set', 'postgresql.pooler.preparedStatements=false']);
    expect(direct.find((object) => object.kind === 'ConfigMap' && object.data?.DB_POOL_SIZE)!.data.DB_PREPARED_STATEMENTS).toBe('true');
    expect(envOf(direct.find((object) => object.kind === 'Deployment' && object.metadata.name === 'helpdesk-ticket')!.spec.template.spec.containers[0])).toMatchObject({ DB_HOST: 'postgresql' });
  });

  it('serves metrics on a separate metrics port that only the metricsFrom peers reach, and scrapes that port', () => {
    const objects = template('production');
    const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
    const services = ['gateway', 'ticket', 'notification', 'realtime', 'ai-proxy'];
    for (const name of services) {
      const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === `helpdesk-${name}`)!;
      const container = deployment.spec.template.spec.containers[0];
      expect(container.ports).toContainEqual({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
      expect(container.env).toContainEqual({ name: 'METRICS_PORT', value: '9090' });
      const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === `helpdesk-${name}`)!;
      expect(service.spec.ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' });
      const policy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === `helpdesk-${name}`)!;
      const rules = policy.spec.ingress as K8sObject[];
      expect(rules.filter((rule) => rule.ports.some((port: K8sObject) => port.port === 'metrics'))).toEqual([{ ports: [{ port: 'metrics', protocol: 'TCP' }], from: [monitoring] }]);
      for (const rule of rules.filter((candidate) => candidate.ports.some((port: K8sObject) => port.port === 'http'))) expect(rule.from ?? []).not.toContainEqual(monitoring);
    }
    const monitor = objects.find((object) => object.kind === 'ServiceMonitor')!;
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
  });

  it('keeps the inbound SMTP listener off by default, and when enabled opens its port on the notification Service to the listed peers only', () => {
    const byName = (objects: K8sObject[], kind: string) => objects.find((object) => object.kind === kind && object.metadata.name === 'helpdesk-notification')!;
    const configOf = (objects: K8sObject[]) => objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'helpdesk-config')!.data;
    const off = template('default');
    expect(configOf(off).INBOUND_SMTP_PORT).toBe('0');
    expect(byName(off, 'Service').spec.ports.map((port: K8sObject) => port.name)).not.toContain('smtp');

    const relay = { ipBlock: { cidr: '10.20.0.0/16' } };
    const on = template('default', ['--set', 'inboundSmtp.enabled=true', '--set-json', `inboundSmtp.from=${JSON.stringify([relay])}`]);
    expect(configOf(on).INBOUND_SMTP_PORT).toBe('2525');
    expect(byName(on, 'Service').spec.ports).toContainEqual({ name: 'smtp', port: 2525, targetPort: 'smtp', protocol: 'TCP' });
    expect(byName(on, 'Deployment').spec.template.spec.containers[0].ports).toContainEqual({ name: 'smtp', containerPort: 2525, protocol: 'TCP' });
    expect(byName(on, 'NetworkPolicy').spec.ingress).toContainEqual({ ports: [{ port: 'smtp', protocol: 'TCP' }], from: [relay] });
    for (const other of ['gateway', 'ticket', 'realtime', 'ai-proxy']) {
      const service = on.find((object) => object.kind === 'Service' && object.metadata.name === `helpdesk-${other}`)!;
      expect(service.spec.ports.map((port: K8sObject) => port.name)).not.toContain('smtp');
    }
  });
});

describe('the notification service\'s mail settings', () => {
  const notification = (objects: K8sObject[]) => objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'helpdesk-notification')!.spec.template.spec;
  const configOf = (objects: K8sObject[]) => objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'helpdesk-config')!.data;

  it('renders the IMAP and mailbox settings with their defaults, and the values given', () => {
    expect(configOf(template('default'))).toMatchObject({
      IMAP_POLL_SECONDS: '60',
      MAILBOX_SYNC_SECONDS: '15',
      MAILBOX_CHECK_TIMEOUT_MS: '10000',
      MAILBOX_FAILED_AFTER_FAILURES: '5',
      MAILBOX_FAILED_AFTER_MINUTES: '10',
      INBOUND_MAX_TICKETS_PER_SENDER_PER_HOUR: '20',
      INBOUND_MAIL_RETENTION_DAYS: '90',
    });
    const set = ['imapPollSeconds=30', 'syncSeconds=5', 'checkTimeoutMs=4000', 'failedAfterFailures=3', 'failedAfterMinutes=0'].flatMap((value) => ['--set', `config.mailboxes.${value}`]);
    expect(configOf(template('default', set))).toMatchObject({
      IMAP_POLL_SECONDS: '30',
      MAILBOX_SYNC_SECONDS: '5',
      MAILBOX_CHECK_TIMEOUT_MS: '4000',
      MAILBOX_FAILED_AFTER_FAILURES: '3',
      MAILBOX_FAILED_AFTER_MINUTES: '0',
    });
  });

  it('renders where webhooks may deliver: https only and nothing listed by default, and the values given', () => {
    expect(configOf(template('default'))).toMatchObject({ WEBHOOK_ALLOW_HTTP: 'false', WEBHOOK_ALLOWED_HOSTS: '' });
    const set = ['--set', 'config.webhooks.allowHttp=true', '--set-json', 'config.webhooks.allowedHosts=["receiver.internal","10.20.0.0/16"]'];
    expect(configOf(template('default', set))).toMatchObject({ WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: 'receiver.internal,10.20.0.0/16' });
  });

  it('gives only the notification pods egress to webhook receivers: ports 80 and 443 on public addresses, with the retry settings in the config', () => {
    const objects = template('default');
    const receiverRules = (name: string) =>
      objects
        .find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === `helpdesk-${name}`)!
        .spec.egress.filter((rule: K8sObject) => (rule.to ?? []).some((peer: K8sObject) => peer.ipBlock?.cidr === '0.0.0.0/0'));
    expect(receiverRules('notification')).toEqual([
      {
        ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'] } }],
      },
    ]);
    for (const name of ['gateway', 'ticket', 'realtime', 'ai-proxy']) expect(receiverRules(name), name).toEqual([]);
    const configOf = (rendered: K8sObject[]) => rendered.find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'helpdesk-config')!.data;
    expect(configOf(objects)).toMatchObject({ WEBHOOK_RETRY_BASE_MS: '10000', WEBHOOK_RETRY_WINDOW_MS: '86400000', WEBHOOK_DISABLE_AFTER_MS: '86400000', WEBHOOK_CONCURRENCY: '100' });
    const onPremises = template('default', ['--set-json', 'networkPolicy.egress.webhooks={"ports":[8443],"to":[{"ipBlock":{"cidr":"10.20.0.0/16"}}]}', '--set', 'config.webhooks.retryBaseMs=500']);
    const notification = onPremises.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === 'helpdesk-notification')!;
    expect(notification.spec.egress).toContainEqual({ ports: [{ port: 8443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.20.0.0/16' } }] });
    expect(configOf(onPremises).WEBHOOK_RETRY_BASE_MS).toBe('500');
    expect(schemaErrors(onPremises)).toEqual([]);
  });

  it('mounts the STARTTLS certificate of the inbound SMTP listener from a Secret into the notification pods only', () => {
    const off = notification(template('default', ['--set', 'inboundSmtp.enabled=true']));
    expect(off.containers[0].env.map((variable: K8sObject) => variable.name)).not.toContain('INBOUND_SMTP_TLS_CERT_FILE');
    expect(off.volumes.map((volume: K8sObject) => volume.name)).not.toContain('inbound-smtp-tls');

    const objects = template('default', ['--set', 'inboundSmtp.enabled=true', '--set', 'inboundSmtp.tls.existingSecret=mx-certificate']);
    const spec = notification(objects);
    expect(spec.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'INBOUND_SMTP_TLS_CERT_FILE', value: '/etc/helpdesk/inbound-smtp-tls/tls.crt' },
        { name: 'INBOUND_SMTP_TLS_KEY_FILE', value: '/etc/helpdesk/inbound-smtp-tls/tls.key' },
      ]),
    );
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'inbound-smtp-tls', mountPath: '/etc/helpdesk/inbound-smtp-tls', readOnly: true });
    expect(spec.volumes).toContainEqual({
      name: 'inbound-smtp-tls',
      secret: { secretName: 'mx-certificate', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] },
    });
    for (const other of ['gateway', 'ticket', 'realtime', 'ai-proxy']) {
      const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === `helpdesk-${other}`)!;
      expect(deployment.spec.template.spec.volumes.map((volume: K8sObject) => volume.name)).toEqual(['tmp']);
    }
  });
});

describe('the values schema and the chart refuse bad values', () => {
  const refused = (args: string[]) => {
    const result = run(helm, ['lint', '--strict', CHART, ...args]);
    expect(result.status).not.toBe(0);
    return result.stdout + result.stderr;
  };

  it('refuses a wrong type', () => {
    expect(refused(['--set', 'gateway.replicaCount=two'])).toContain("at '/gateway/replicaCount': got string, want integer");
  });

  it('refuses mailbox settings the notification service would refuse', () => {
    refused(['--set', 'config.mailboxes.imapPollSeconds=1']);
    refused(['--set', 'config.mailboxes.checkTimeoutMs=100']);
  });

  it('refuses an unknown key', () => {
    expect(refused(['--set', 'gateway.replicas=3'])).toContain("additional properties 'replicas' not allowed");
  });

  it('refuses the latest tag', () => {
    expect(refused(['--set', 'image.tag=latest'])).toContain('/image/tag');
  });

  it('refuses a probe timeout under 3 seconds', () => {
    expect(refused(['--set', 'probes.readiness.timeoutSeconds=1'])).toContain('/probes/readiness/timeoutSeconds');
  });

  it('refuses a short SECRET_KEY', () => {
    expect(refused(['--set', 'secrets.secretKey=short'])).toContain('/secrets/secretKey');
  });

  it('refuses what the services would refuse at boot: no ALLOWED_HOSTS in production, an AI provider without a model', () => {
    expect(refused(['--set-json', 'config.allowedHosts=[]'])).toContain("at '/config/allowedHosts': minItems: got 0, want 1");
    expect(refused(['--set', 'ai.providerUrl=https://llm.example.org/v1'])).toContain("at '/ai/model': minLength: got 0, want 1");
  });

  it('refuses a grace period that does not cover the preStop delay and the shutdown drain', () => {
    const result = run(helm, ['template', 'helpdesk', CHART, ...DEFAULT_REQUIRED, '--set', 'ticket.terminationGracePeriodSeconds=12']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('ticket.terminationGracePeriodSeconds (12) must be at least preStopSleepSeconds (5) + config.shutdownGracePeriodMs in seconds (10)');
  });
});
