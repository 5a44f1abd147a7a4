import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHART, ROOT, k8sTools, parseObjects, policyViolations, run, schemaErrors, type K8sObject } from './manifests.js';
// @ts-expect-error -- a plain .mjs script without type declarations
import { KUSTOMIZE_BASE, renderKustomizeBase } from '../../scripts/k8s-tools.mjs';

let tools: { helm: string; kubectl: string };
beforeAll(() => {
  tools = k8sTools();
});

const identity = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;

function kustomize(overlay: string): K8sObject[] {
  const result = run(tools.kubectl, ['kustomize', `${ROOT}/k8s/overlays/${overlay}`]);
  if (result.status !== 0) throw new Error(`kubectl kustomize failed: ${result.stderr}`);
  return parseObjects(result.stdout);
}

describe('the kustomize base', () => {
  it('is the chart rendered with k8s/chart-values.yaml (regenerate with node scripts/k8s-tools.mjs render-base)', () => {
    expect(readFileSync(`${ROOT}/${KUSTOMIZE_BASE}`, 'utf8')).toBe(renderKustomizeBase());
  });
});

describe.each(['development', 'production'])('the %s overlay', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = kustomize(overlay);
  });

  it('renders only objects that match the Kubernetes schemas, without unknown fields', () => {
    expect(schemaErrors(objects)).toEqual([]);
  });

  it('meets the deployment policies', () => {
    expect(policyViolations(objects)).toEqual([]);
  });

  it('gives the objects Helm installs, apart from the hooks and the objects an overlay adds', () => {
    const rendered = run(tools.helm, ['template', 'helpdesk', CHART, '-f', `${ROOT}/k8s/chart-values.yaml`]);
    const fromHelm = parseObjects(rendered.stdout)
      .filter((object) => object.metadata.annotations?.['helm.sh/hook'] !== 'test')
      .map(identity);
    const added = overlay === 'production' ? ['helpdesk-gateway', 'helpdesk-ticket', 'helpdesk-notification', 'helpdesk-realtime', 'helpdesk-ai-proxy'].map((name) => `HorizontalPodAutoscaler/${name}`) : [];
    expect(objects.map(identity).sort()).toEqual([...fromHelm, ...added].sort());
  });

  it('puts every object in one namespace and runs the migrations as a plain Job', () => {
    expect(new Set(objects.map((object) => object.metadata.namespace))).toEqual(new Set([overlay === 'production' ? 'helpdesk' : 'helpdesk-dev']));
    const job = objects.find((object) => object.kind === 'Job')!;
    expect(job.metadata.name).toBe('helpdesk-migrations');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBeUndefined();
  });
});
