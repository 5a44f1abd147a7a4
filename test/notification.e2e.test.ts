import { createTestDatabase, deleteRedisKeys, gatewayApi, migrateBuilt, SERVICE_SPECS, ServiceProcess, TestNatsServer, waitFor } from '@helpdesk/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink, type ReceivedMail } from '../apps/notification/src/testing/smtp-sink.js';

const APP_BASE_URL = 'https://desk.example.test';
const spec = (name: string) => SERVICE_SPECS.find((candidate) => candidate.name === name)!;

/** The mails of the API, end to end: gateway, ticket and notification services as real processes, and an SMTP server. */
describe('mail through the whole platform, each service with its own NATS user', () => {
  let nats: TestNatsServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sink: SmtpSink;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;

  beforeAll(async () => {
    nats = await TestNatsServer.start({ serviceUsers: true });
    database = await createTestDatabase('notification_e2e');
    sink = await SmtpSink.start();
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      NATS_URL: nats.url,
      DB_NAME: database.name,
      SECRET_KEY: randomBytes(24).toString('hex'),
      QUEUE_PREFIX: `notification-e2e-${randomBytes(4).toString('hex')}`,
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(sink.port),
      DEFAULT_FROM_EMAIL: 'Desk <support@desk.example.test>',
      APP_BASE_URL,
      RATE_LIMIT_PASSWORD_RESET_PER_HOUR: '1000',
      SIGNUP_ENABLED: 'true',
    };
    migrateBuilt(['ticket', 'notification'], env);
    for (const name of ['ticket', 'gateway', 'notification'] as const) services.push(await ServiceProcess.start(spec(name), { ...env, NATS_URL: nats.urlFor(name) }));
    await Promise.all(services.map((service) => service.waitUntilReady()));
    gateway = services[1]!;
  }, 60_000);

  afterAll(async () => {
    for (const service of services) await service.kill();
    await sink?.stop();
    await nats?.destroy();
    await database?.drop();
    if (env) await deleteRedisKeys(env.QUEUE_PREFIX!);
  });

  const api = gatewayApi(() => gateway.url);

  const mailTo = (address: string, subject: RegExp) =>
    waitFor<ReceivedMail>(`a mail "${subject}" to ${address}`, async () => sink.mailsTo(address).find((mail) => subject.test(mail.subject)));
  const linkToken = (mail: ReceivedMail, path: string) => new RegExp(`${APP_BASE_URL}/${path}\\?token=([\\w-]+)`).exec(mail.text)?.[1];

  async function signup(): Promise<{ token: string; email: string }> {
    const email = `admin-${randomBytes(3).toString('hex')}@desk.example.test`;
    const signedUp = await api('POST', '/auth/signup', { organizationName: `Desk ${randomBytes(2).toString('hex')}`, name: 'Ada Admin', email, password: 'correct horse battery staple' });
    expect(signedUp.status).toBe(201);
    // Until the signup address is verified, the organization mails only its staff.
    const verification = linkToken(await mailTo(email, /^Verify the email address of /), 'verify-email');
    expect((await api('POST', '/auth/verify-email', { token: verification })).status).toBe(204);
    return { token: signedUp.body.accessToken, email };
  }

  it('invites a user, who accepts with the mailed link and signs in', async () => {
    const admin = await signup();
    const email = `nina-${randomBytes(3).toString('hex')}@desk.example.test`;
    expect((await api('POST', '/users', { name: 'Nina New', email, role: 'agent' }, admin.token)).status).toBe(201);

    const token = linkToken(await mailTo(email, /^You are invited to /), 'accept-invite');
    expect((await api('POST', '/auth/accept-invite', { token, password: 'nina chooses a password' })).status).toBe(200);
    expect((await api('POST', '/auth/login', { email, password: 'nina chooses a password' })).status).toBe(200);
    expect((await api('POST', '/auth/accept-invite', { token, password: 'a second try at it' })).status).toBe(401);
  });

  it('resets a forgotten password with the mailed link', async () => {
    const admin = await signup();
    expect((await api('POST', '/auth/password-reset', { email: admin.email })).status).toBe(202);

    const token = linkToken(await mailTo(admin.email, /^Reset your /), 'reset-password');
    expect((await api('POST', '/auth/password-reset/confirm', { token, password: 'a brand new password' })).status).toBe(204);
    expect((await api('POST', '/auth/login', { email: admin.email, password: 'a brand new password' })).status).toBe(200);
  });

  it("mails a ticket's requester the confirmation and the public reply, never the internal note", async () => {
    const admin = await signup();
    const customerEmail = `carla-${randomBytes(3).toString('hex')}@example.com`;
    const ticket = await api('POST', '/tickets', { subject: 'Invoice missing', description: 'Where is it?', requesterEmail: customerEmail }, admin.token);
    expect(ticket.status).toBe(201);
    await api('POST', `/tickets/${ticket.body.id}/comments`, { body: 'Finance owes us the PDF', internal: true }, admin.token);
    await api('POST', `/tickets/${ticket.body.id}/comments`, { body: 'Here is your invoice.' }, admin.token);

    await mailTo(customerEmail, new RegExp(`^We received your request #${ticket.body.number}`));
    const reply = await mailTo(customerEmail, /^Re: /);
    expect(reply.text).toContain('Here is your invoice.');
    expect(reply.text).toContain(`${APP_BASE_URL}/tickets/${ticket.body.id}`);
    const everything = sink.mails.map((mail) => `${mail.subject}${mail.text}${mail.html}`).join('');
    expect(everything).not.toContain('Finance owes us');
  });
});
