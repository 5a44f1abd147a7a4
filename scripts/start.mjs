import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { prepare } from './lib/prepare.mjs';
import { DIST_DIR, ROOT, SERVICES } from './lib/paths.mjs';
import { runOrFail, say } from './lib/run.mjs';

try {
  await prepare();
  await runOrFail(process.execPath, [`${ROOT}/dist/apps/ticket/src/database/seed.js`], { cwd: ROOT });
} catch (error) {
  process.stderr.write(`\n${error.message}\n`);
  process.exit(1);
}

// Without an SMTP server of its own, a local run sends mail to the sink, whose mails can be read.
const useMailSink = !process.env.EMAIL_HOST;
if (useMailSink) {
  process.env.EMAIL_HOST = '127.0.0.1';
  process.env.EMAIL_PORT = process.env.SMTP_SINK_PORT || '1025';
}
// A local run takes mail for its mailboxes on this machine only (a container listens on every interface).
process.env.INBOUND_SMTP_HOST ||= '127.0.0.1';
const inboundSmtpPort = process.env.INBOUND_SMTP_PORT ?? '2525';
const port = (service) => process.env[service.portVariable] ?? String(service.defaultPort);
// The console opens its socket on the gateway's origin: the gateway passes /socket.io on to the local realtime.
process.env.REALTIME_PROXY_URL ||= `http://127.0.0.1:${port(SERVICES.find((service) => service.name === 'realtime'))}`;
const { default: concurrently } = await import('concurrently');
const colors = ['cyan', 'magenta', 'green', 'yellow', 'blue'];
const commands = SERVICES.map((service, index) => ({ name: service.name, command: `node ${service.entry}`, cwd: ROOT, prefixColor: colors[index], env: process.env }));
if (useMailSink) commands.push({ name: 'mail-sink', command: 'node scripts/smtp-sink.mjs', cwd: ROOT, prefixColor: 'gray', env: process.env });
const { result } = concurrently(
  commands,
  { prefix: 'name', padPrefix: true, killOthersOn: ['failure'], handleInput: false },
);

const gateway = `http://localhost:${port(SERVICES[0])}`;
say(`starting ${SERVICES.length} services. Ctrl-C stops them all.`);
say(`gateway:    ${gateway} (API ${gateway}/api/v1, docs ${gateway}/api/docs)`);
say(`probes:     ${SERVICES.map((service) => `${service.name} http://localhost:${port(service)}/health/ready`).join(', ')}`);
// Unless METRICS_PORT is set (it would then be shared by all five and collide), each serves metrics on its port + 1000.
const metricsPort = (service) => process.env.METRICS_PORT ?? String(Number(port(service)) + 1000);
say(`metrics:    ${SERVICES.map((service) => `${service.name} http://localhost:${metricsPort(service)}/metrics`).join(', ')}`);
if (useMailSink) say(`mail:       http://localhost:${process.env.SMTP_SINK_WEB_PORT || 8025} (local SMTP sink; set EMAIL_HOST to use a real server)`);
if (inboundSmtpPort !== '0') say(`inbound:    smtp://${process.env.INBOUND_SMTP_HOST}:${inboundSmtpPort} takes mail for the mailboxes (POST /api/v1/mailboxes; docs/email.md)`);
say(`details:    curl -H "x-health-token: $(node -p \"require('./.data/dev-secrets.json').HEALTH_DETAILS_TOKEN\")" ${gateway}/health/details`);
// Last, so that the address to open and the logins are what the terminal shows.
if (existsSync(process.env.WEB_ROOT ? `${process.env.WEB_ROOT}/index.html` : `${DIST_DIR}/web/index.html`)) say(`console:    ${gateway}`);
else say(`console:    not built, so ${gateway} explains how; "npm run build" builds it into dist/web`);
const { DEMO_PASSWORD, DEMO_USERS } = await import(pathToFileURL(`${DIST_DIR}/apps/ticket/src/database/demo-logins.js`).href);
const demoLogin = (role) => DEMO_USERS.find((user) => user.role === role).email;
say(`logins:     admin ${demoLogin('admin')}, agent ${demoLogin('agent')}, customer ${demoLogin('customer')}; password ${DEMO_PASSWORD}`);

try {
  await result;
} catch (events) {
  // Ctrl-C ends every service with SIGINT, which they treat as a clean stop.
  const failed = Array.isArray(events) ? events.filter((event) => event.exitCode !== 0 && event.exitCode !== 'SIGINT') : [];
  if (failed.length > 0) {
    process.stderr.write(`stopped because ${failed.map((event) => `${event.command.name} exited with ${event.exitCode}`).join(', ')}\n`);
    process.exit(1);
  }
}
