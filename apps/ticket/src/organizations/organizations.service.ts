import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Availability, BusinessHoursDto, OrganizationView, SignupCommand, PublicUserView, SignupReply, UpdateOrganizationCommand, UserView } from '@helpdesk/contracts';
import { CommandError, normalizeEmail, stripToPlainText } from '@helpdesk/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DEFAULT_BUSINESS_HOURS, validateCalendar, WEEKDAYS, type WeeklySchedule } from '../sla/business-calendar.js';
import { SlaPolicy } from '../sla/sla-policy.entity.js';
import { User } from '../users/user.entity.js';
import { DEFAULT_SLA_POLICIES } from './default-sla-policies.js';
import { calendarOf } from './organization-calendar.js';
import { Organization } from './organization.entity.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { DomainEvents } from '../outbox/domain-events.js';
import { recordEmailVerificationRequest } from '../auth/email-verification.js';
import type { Principal } from '@helpdesk/contracts';
import { hashPassword } from '../auth/passwords.js';
import { createDefaultViews } from '../views/views.service.js';

export function toOrganizationView(organization: Organization): OrganizationView {
  return { id: organization.id, name: organization.name, slug: organization.slug, timezone: organization.timezone, businessHours: organization.businessHours as OrganizationView['businessHours'], holidays: organization.holidays, emailVerified: organization.emailVerifiedAt !== null, satisfactionSurveys: satisfactionSurveysOn(organization) };
}

/** Surveys are on unless an admin turned them off (`settings.satisfactionSurveys: false`). */
export function satisfactionSurveysOn(organization: Organization): boolean {
  return organization.settings?.satisfactionSurveys !== false;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    organizationId: user.organizationId,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.active,
    invitationPendingSince: user.invitationPendingSince?.toISOString() ?? null,
    bouncingSince: user.bouncingSince?.toISOString() ?? null,
    capacity: user.capacity ?? null,
    availability: effectiveAvailability(user),
    availabilitySetting: user.availability ?? 'online',
  };
}

/** Hand-set `away` or `offline` wins; `online` means "while connected" (realtime presence). */
export function effectiveAvailability(user: Pick<User, 'availability' | 'present'>): Availability {
  const setting = user.availability ?? 'online';
  if (setting !== 'online') return setting;
  return user.present ? 'online' : 'offline';
}

/** What a customer may know of a staff member: the name on a reply, not how to reach them. */
export function toPublicUserView(user: User): PublicUserView {
  return { id: user.id, name: user.name, role: user.role };
}

/** The validated DTO as the plain jsonb document stored: only the days given, each interval as { start, end }. */
function weeklySchedule(hours: BusinessHoursDto): WeeklySchedule {
  const schedule: WeeklySchedule = {};
  for (const day of WEEKDAYS) {
    const intervals = hours[day];
    if (intervals !== undefined) schedule[day] = intervals.map(({ start, end }) => ({ start, end }));
  }
  return schedule;
}

/** URL-safe organization handle from its name, with a random suffix so two "Acme" desks never collide. */
function slugFor(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${base || 'desk'}-${randomBytes(3).toString('hex')}`;
}

@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  /**
   * A new organization with its first admin and the default SLA policies, all or nothing. It starts
   * unverified, with a verification mail to the admin; `emailVerified` is for the demo seed only.
   */
  async signup(command: SignupCommand, options: { slug?: string; emailVerified?: boolean } = {}): Promise<SignupReply> {
    const organizationName = stripToPlainText(command.organizationName);
    const name = stripToPlainText(command.name);
    if (!organizationName || !name) throw new CommandError('VALIDATION', 'organizationName and name must contain text');
    const timezone = command.timezone ?? 'UTC';
    const problems = validateCalendar({ timezone, businessHours: DEFAULT_BUSINESS_HOURS, holidays: [] });
    if (problems.length > 0) throw new CommandError('VALIDATION', problems.join('; '));
    const passwordHash = await hashPassword(command.password);
    const emailVerifiedAt = options.emailVerified ? new Date() : null;
    const reply = await this.dataSource.transaction(async (manager) => {
      const organization = await manager.save(
        manager.create(Organization, { name: organizationName, slug: options.slug ?? slugFor(organizationName), timezone, businessHours: DEFAULT_BUSINESS_HOURS, holidays: [], settings: {}, emailVerifiedAt }),
      );
      const user = await manager.save(manager.create(User, { organizationId: organization.id, email: normalizeEmail(command.email), name, role: 'admin', passwordHash, active: true, notificationPreferences: {} }));
      await manager.insert(
        SlaPolicy,
        DEFAULT_SLA_POLICIES.map((policy) => ({ ...policy, organizationId: organization.id, nextResponseMinutes: null, businessHoursOnly: true, active: true })),
      );
      await createDefaultViews(manager, organization.id, user.id);
      if (!emailVerifiedAt) await recordEmailVerificationRequest(this.events, manager, user);
      return { organization: toOrganizationView(organization), user: toUserView(user) };
    });
    this.events.committed();
    return reply;
  }

  async get(principal: Principal): Promise<OrganizationView> {
    const caller = await this.principals.verify(principal);
    return toOrganizationView(await this.dataSource.manager.findOneByOrFail(Organization, { id: caller.orgId }));
  }

  /** Name, time zone, business hours, holidays and satisfaction surveys; the calendar is checked as a whole, every problem named. */
  async update(command: UpdateOrganizationCommand): Promise<OrganizationView> {
    const changes = command.changes;
    const name = changes.name === undefined ? undefined : stripToPlainText(changes.name);
    if (name === '') throw new CommandError('VALIDATION', 'name must contain text');
    return this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyAdmin(command.principal, manager);
      const organization = await manager.findOneOrFail(Organization, { where: { id: caller.orgId }, lock: { mode: 'for_no_key_update' } });
      if (name !== undefined) organization.name = name;
      if (changes.timezone !== undefined) organization.timezone = changes.timezone.trim();
      if (changes.businessHours !== undefined) organization.businessHours = weeklySchedule(changes.businessHours);
      if (changes.holidays !== undefined) organization.holidays = [...new Set(changes.holidays)].sort();
      if (changes.satisfactionSurveys !== undefined) organization.settings = { ...organization.settings, satisfactionSurveys: changes.satisfactionSurveys };
      const problems = validateCalendar(calendarOf(organization));
      if (problems.length > 0) throw new CommandError('VALIDATION', problems.join('; '), problems);
      // Changing the calendar does not rewrite existing tickets' due times: it applies to those computed from now on.
      return toOrganizationView(await manager.save(organization));
    });
  }
}
