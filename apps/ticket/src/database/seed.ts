import 'reflect-metadata';
import { ConfigurationError, loadConfig, postgresOptions, startService } from '@helpdesk/common';
import type { Principal } from '@helpdesk/contracts';
import { DataSource } from 'typeorm';
import { CommentsService } from '../comments/comments.service.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { TicketConfig } from '../ticket.config.js';
import { ticketApp } from '../ticket.app.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { TICKET_SCHEMA } from './schema.js';
import { hashPassword } from '../auth/passwords.js';
import { DEMO_PASSWORD, DEMO_SLUG, DEMO_USERS } from './demo-logins.js';

function printLogins(): void {
  process.stdout.write(`demo organization "${DEMO_SLUG}"; every demo user's password is ${DEMO_PASSWORD}\n`);
  for (const user of DEMO_USERS) process.stdout.write(`  ${user.role.padEnd(8)} ${user.email}\n`);
}

async function seed(): Promise<void> {
  const config = loadConfig(TicketConfig);
  if (config.NODE_ENV === 'production') throw new ConfigurationError('Refusing to seed demo data when NODE_ENV=production');
  const probe = new DataSource(postgresOptions(config, TICKET_SCHEMA, 'helpdesk-seed'));
  await probe.initialize();
  const existing = (await probe.query(`SELECT 1 FROM ${TICKET_SCHEMA}.organizations WHERE slug = $1`, [DEMO_SLUG])) as unknown[];
  await probe.destroy();
  if (existing.length > 0) return printLogins();

  // The service itself does the seeding, so demo data obeys every rule and emits its events.
  const running = await startService(ticketApp, Object.assign(config, { TICKET_PORT: 0, LOG_LEVEL: 'warn' }));
  try {
    const [admin, ...others] = DEMO_USERS;
    const { organization, user } = await running.app.get(OrganizationsService).signup(
      { organizationName: 'Demo Support', name: admin.name, email: admin.email, password: DEMO_PASSWORD, timezone: 'Europe/Berlin' },
      { slug: DEMO_SLUG, emailVerified: true },
    );
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const principals: Record<string, Principal> = { [admin.email]: { orgId: organization.id, userId: user.id, role: 'admin' } };
    const dataSource = running.app.get(DataSource);
    for (const demoUser of others) {
      const [row] = (await dataSource.query(`INSERT INTO ${TICKET_SCHEMA}.users (organization_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
        organization.id,
        demoUser.email,
        demoUser.name,
        demoUser.role,
        passwordHash,
      ])) as Array<{ id: string }>;
      principals[demoUser.email] = { orgId: organization.id, userId: row!.id, role: demoUser.role };
    }
    const [adminPrincipal, alan, grace, carla] = DEMO_USERS.map((demoUser) => principals[demoUser.email]!);
    const tickets = running.app.get(TicketsService);
    const comments = running.app.get(CommentsService);
    const vpn = await tickets.create({ principal: carla!, subject: 'VPN disconnects every hour', description: '<p>Since Monday the VPN drops at the top of every hour.</p>', priority: 'high' });
    // A customer only requests a priority, and tags are staff's: the triaging admin sets both.
    await tickets.update({ principal: adminPrincipal!, ticketId: vpn.id, changes: { assigneeId: alan!.userId, status: 'open', priority: 'high', tags: ['vpn'] } });
    await comments.create({ principal: alan!, ticketId: vpn.id, body: '<p>Thanks Carla, could you send the client log?</p>' });
    await comments.create({ principal: alan!, ticketId: vpn.id, body: 'Same pattern as the certificate renewal last month.', internal: true });
    const invoice = await tickets.create({ principal: carla!, subject: 'Invoice shows the old address', description: '<p>Our March invoice still has the old street.</p>', priority: 'low' });
    await tickets.update({ principal: adminPrincipal!, ticketId: invoice.id, changes: { priority: 'low', tags: ['billing'] } });
    const outage = await tickets.create({ principal: grace!, subject: 'Checkout page returns 500', description: '<p>Reported by three customers in the last hour.</p>', priority: 'urgent', requesterEmail: 'carla@customer.test' });
    await tickets.update({ principal: grace!, ticketId: outage.id, changes: { assigneeId: grace!.userId } });
    printLogins();
  } finally {
    await running.shutdown('seed done');
  }
}

try {
  await seed();
  process.exit(0);
} catch (error) {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
