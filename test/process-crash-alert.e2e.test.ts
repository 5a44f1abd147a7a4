import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { AdminAlertListener, freePort, ROOT, STACK_SECRET_KEY, TestNatsServer, waitFor } from '@helpdesk/testing';

/**
 * A stray exception or promise rejection in any service ends the process (as Node does by default)
 * after logging it as critical: the admin alert must leave before the exit.
 */
describe('process-level failures', () => {
  let nats: TestNatsServer;
  let alerts: AdminAlertListener;

  beforeAll(async () => {
    nats = await TestNatsServer.start({ serviceUsers: true });
    alerts = await AdminAlertListener.start(nats.url);
  });

  afterAll(async () => {
    await alerts?.stop();
    await nats?.destroy();
  });

  async function crash(kind: 'exception' | 'rejection'): Promise<{ code: number | null; output: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, [`${ROOT}/test/fixtures/crashing-service.mjs`], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', SECRET_KEY: STACK_SECRET_KEY, ALLOWED_HOSTS: 'localhost', NATS_URL: nats.urlFor('ai-proxy'), AI_PROXY_PORT: String(port), HOST: '127.0.0.1', CRASH: kind },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The fixture's module has no health endpoints: its start-up log line says it is running.
    await waitFor(`the crashing service to start\n${output}`, async () => output.includes('started (instance'), 30_000);
    child.kill('SIGUSR2');
    return { code: await exited, output };
  }

  it('alerts the admins of an uncaught exception, then exits with 1', async () => {
    const { code, output } = await crash('exception');
    expect(code, output).toBe(1);
    await waitFor('the alert', async () => alerts.alerts.some((alert) => alert.message.includes('uncaught exception: stray exception, code 9')), 5_000);
    expect(alerts.from('ai-proxy', 'Process')).toHaveLength(1);
  }, 60_000);

  it('alerts the admins of an unhandled rejection, then exits with 1', async () => {
    const { code, output } = await crash('rejection');
    expect(code, output).toBe(1);
    await waitFor('the alert', async () => alerts.alerts.some((alert) => alert.message.includes('unhandled promise rejection: lost promise, code 7')), 5_000);
    expect(alerts.from('ai-proxy', 'Process')).toHaveLength(2);
  }, 60_000);
});
