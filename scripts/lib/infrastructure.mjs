import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { DATA_DIR } from './paths.mjs';
import { run, say } from './run.mjs';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function answers(host, port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: host.replace(/^\[|\]$/g, ''), port, timeout: timeoutMs });
    const finish = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

async function waitUntilAnswering(host, port, seconds) {
  for (let attempt = 0; attempt < seconds * 4; attempt += 1) {
    if (await answers(host, port, 250)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const isRoot = () => process.getuid?.() === 0;

/** The three servers the platform needs, where to reach them, and how to start or install each locally. */
function servers() {
  const redis = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379/0');
  const nats = new URL((process.env.NATS_URL || 'nats://127.0.0.1:4222').split(',')[0]);
  return [
    {
      name: 'PostgreSQL',
      host: process.env.DB_HOST || '127.0.0.1',
      port: Number(process.env.DB_PORT || 5432),
      debianPackage: 'postgresql',
      installed: () => has('pg_ctlcluster') && existsSync('/etc/postgresql'),
      start: async () => {
        for (const version of readdirSync('/etc/postgresql')) {
          await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
        }
      },
      manual: 'sudo apt-get install -y postgresql && sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up -d postgres)',
    },
    {
      name: 'Redis',
      host: redis.hostname,
      port: Number(redis.port || 6379),
      debianPackage: 'redis-server',
      installed: () => has('redis-server'),
      start: async () => {
        const dir = `${DATA_DIR}/redis`;
        mkdirSync(dir, { recursive: true });
        await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(redis.port || 6379), '--dir', dir, '--logfile', `${dir}/redis.log`, '--maxmemory-policy', 'noeviction']);
      },
      manual: 'sudo apt-get install -y redis-server && redis-server --daemonize yes   (or: docker compose up -d redis)',
    },
    {
      name: 'NATS (JetStream)',
      host: nats.hostname,
      port: Number(nats.port || 4222),
      debianPackage: 'nats-server',
      installed: () => has('nats-server') || existsSync('/usr/sbin/nats-server'),
      start: async () => {
        const dir = `${DATA_DIR}/nats`;
        mkdirSync(dir, { recursive: true });
        const binary = has('nats-server') ? 'nats-server' : '/usr/sbin/nats-server';
        // Detached so it outlives this script, like the other two servers.
        const { spawn } = await import('node:child_process');
        spawn(binary, ['-a', '127.0.0.1', '-p', String(nats.port || 4222), '-js', '-sd', dir, '-l', `${dir}/nats.log`], { detached: true, stdio: 'ignore' }).unref();
      },
      manual: 'sudo apt-get install -y nats-server && nats-server -js -sd /var/lib/nats-server &   (or: docker compose up -d nats)',
    },
  ];
}

let aptUpdated = false;
async function aptInstall(debianPackage) {
  if (!aptUpdated) {
    await run('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  return (await run('apt-get', ['install', '-y', '-qq', debianPackage], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })) === 0;
}

/**
 * Makes sure PostgreSQL, Redis and NATS answer: left alone when up, started when installed, installed
 * with apt-get when running as root on Debian/Ubuntu, and otherwise the exact commands are printed.
 */
export async function ensureInfrastructure() {
  const missing = [];
  for (const server of servers()) {
    if (await answers(server.host, server.port)) continue;
    if (!LOCAL_HOSTS.has(server.host)) {
      missing.push(`${server.name} does not answer on ${server.host}:${server.port} (a remote server: start it there)`);
      continue;
    }
    if (!server.installed() && isRoot() && has('apt-get')) {
      say(`installing ${server.name} (apt-get install ${server.debianPackage})`);
      await aptInstall(server.debianPackage);
    }
    if (server.installed()) {
      say(`starting ${server.name}`);
      await server.start();
      if (await waitUntilAnswering(server.host, server.port, 20)) continue;
    }
    missing.push(`${server.name} does not answer on ${server.host}:${server.port}. Start it with:\n    ${server.manual}`);
  }
  if (missing.length > 0) {
    throw new Error(`Local infrastructure is not running:\n  ${missing.join('\n  ')}`);
  }
  await ensureJetStream();
}

async function ensureJetStream() {
  const { connect } = await import('@nats-io/transport-node');
  const connection = await connect({ servers: (process.env.NATS_URL || 'nats://127.0.0.1:4222').split(','), timeout: 3_000 });
  const jetStream = connection.info?.jetstream === true;
  await connection.close();
  if (!jetStream) throw new Error('NATS answers but JetStream is disabled: restart nats-server with -js (and a storage directory, -sd)');
}

/** Debian's Chromium, which the console's browser tests drive through Playwright (never a browser download). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Installs Chromium for the browser tests when it is missing and this is root on Debian; otherwise says in one line what to run. */
export async function ensureBrowser() {
  if (existsSync(CHROMIUM_PATH)) return;
  if (isRoot() && has('apt-get')) {
    say('installing Chromium for the browser tests (apt-get install chromium)');
    if ((await aptInstall('chromium')) && existsSync(CHROMIUM_PATH)) return;
  }
  throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: the console's browser tests need it. Run: sudo apt-get install -y chromium   (or set CHROMIUM_PATH)`);
}

/** Debian's Dovecot, which the IMAP tests start on a free port with a throwaway configuration (never the system service). */
export const DOVECOT_PATH = process.env.DOVECOT_BINARY || '/usr/sbin/dovecot';

/** Installs Dovecot for the IMAP tests when it is missing and this is root on Debian; otherwise says in one line what to run. */
export async function ensureImapServer() {
  if (existsSync(DOVECOT_PATH)) return;
  if (isRoot() && has('apt-get')) {
    say('installing Dovecot for the IMAP tests (apt-get install dovecot-imapd)');
    if ((await aptInstall('dovecot-imapd')) && existsSync(DOVECOT_PATH)) return;
  }
  throw new Error(`Dovecot is not installed at ${DOVECOT_PATH}: the IMAP tests need it. Run: sudo apt-get install -y dovecot-imapd   (or set DOVECOT_BINARY)`);
}

/** Debian's PgBouncer, which the pooling tests start on a free port in transaction mode (never the system service). */
export const PGBOUNCER_PATH = process.env.PGBOUNCER_BINARY || '/usr/sbin/pgbouncer';

/** Installs PgBouncer for the pooling tests when it is missing and this is root on Debian; otherwise says in one line what to run. */
export async function ensurePgBouncer() {
  if (existsSync(PGBOUNCER_PATH)) return;
  if (isRoot() && has('apt-get')) {
    say('installing PgBouncer for the pooling tests (apt-get install pgbouncer)');
    // Debian starts the packaged service on install; the tests run their own, so it is stopped again.
    if ((await aptInstall('pgbouncer')) && existsSync(PGBOUNCER_PATH)) {
      spawnSync('sh', ['-c', 'service pgbouncer stop || true'], { stdio: 'ignore' });
      return;
    }
  }
  throw new Error(`PgBouncer is not installed at ${PGBOUNCER_PATH}: the pooling tests need it. Run: sudo apt-get install -y pgbouncer   (or set PGBOUNCER_BINARY)`);
}

/** Debian's promtool (package prometheus), which checks the chart's alert rules and runs their unit tests. */
export const PROMTOOL_PATH = process.env.PROMTOOL_BINARY || '/usr/bin/promtool';

/** Installs promtool for the chart's rule tests when it is missing and this is root on Debian; otherwise says in one line what to run. */
export async function ensurePromtool() {
  if (existsSync(PROMTOOL_PATH)) return;
  if (isRoot() && has('apt-get')) {
    say('installing promtool for the alert rule tests (apt-get install prometheus)');
    // Debian starts the packaged Prometheus on install where it can; the tests need only promtool.
    if ((await aptInstall('prometheus')) && existsSync(PROMTOOL_PATH)) {
      spawnSync('sh', ['-c', 'service prometheus stop || true'], { stdio: 'ignore' });
      return;
    }
  }
  throw new Error(`promtool is not installed at ${PROMTOOL_PATH}: the alert rule tests need it. Run: sudo apt-get install -y prometheus   (or set PROMTOOL_BINARY)`);
}
