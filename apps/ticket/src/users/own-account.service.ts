import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  CUSTOMER_NOTIFICATION_PREFERENCES,
  isStaff,
  NOTIFICATION_PREFERENCES,
  type AccountView,
  type MeReply,
  type NotificationPreference,
  type NotificationPreferencesDto,
  type Role,
  type UpdateOwnAccountCommand,
} from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { DataSource } from 'typeorm';
import { AssignmentService } from '../assignment/assignment.service.js';
import { plainName } from '../directory/users.service.js';
import { Organization } from '../organizations/organization.entity.js';
import { toOrganizationView, toUserView } from '../organizations/organizations.service.js';
import { PrincipalVerifier } from './principal-verifier.js';
import { User } from './user.entity.js';

/** The preferences a role may hold: customers never receive staff mails, so they have no switch for them. */
function preferencesOf(role: Role): readonly NotificationPreference[] {
  return isStaff(role) ? NOTIFICATION_PREFERENCES : CUSTOMER_NOTIFICATION_PREFERENCES;
}

/** The user with the preferences their role receives mail for, as the mail planner reads them: only false turns a mail off. */
export function toAccountView(user: User): AccountView {
  const preferences = Object.fromEntries(preferencesOf(user.role).map((key) => [key, user.notificationPreferences[key] !== false]));
  return { ...toUserView(user), notificationPreferences: preferences };
}

/** Only the keys given in the request: an unset optional field must not erase a stored value. */
function givenPreferences(preferences: NotificationPreferencesDto): Array<[NotificationPreference, boolean]> {
  return NOTIFICATION_PREFERENCES.flatMap((key) => (typeof preferences[key] === 'boolean' ? [[key, preferences[key]] as [NotificationPreference, boolean]] : []));
}

/** What every user may change about their own account: name, notification preferences and (staff) availability. */
@Injectable()
export class OwnAccountService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(AssignmentService) private readonly assignment: AssignmentService,
  ) {}

  async update(command: UpdateOwnAccountCommand): Promise<MeReply> {
    const { changes } = command;
    const name = changes.name === undefined ? undefined : plainName(changes.name);
    const preferences = changes.notificationPreferences === undefined ? [] : givenPreferences(changes.notificationPreferences);
    const account = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verify(command.principal, manager);
      // Locked, and the role read under the lock: two changes of different keys at once both stick, and a role changed a moment ago decides.
      const user = await manager.findOne(User, { where: { id: caller.userId, organizationId: caller.orgId, active: true }, lock: { mode: 'for_no_key_update' } });
      if (!user) throw new CommandError('UNAUTHORIZED', 'The account is unknown or deactivated');
      const allowed = preferencesOf(user.role);
      const refused = preferences.filter(([key]) => !allowed.includes(key)).map(([key]) => `notificationPreferences.${key} is a staff mail: customers may set only ${allowed.join(', ')}`);
      if (refused.length > 0) throw new CommandError('VALIDATION', refused.join('; '), refused);
      // Availability steers automatic assignment, which only staff take part in.
      if (changes.availability !== undefined && !isStaff(user.role)) throw new CommandError('FORBIDDEN', 'availability is for agents and admins; customers have none');
      if (changes.availability !== undefined) {
        user.availability = changes.availability;
        this.assignment.noteUser(manager, user.id);
      }
      if (name !== undefined) user.name = name;
      if (preferences.length > 0) user.notificationPreferences = { ...user.notificationPreferences, ...Object.fromEntries(preferences) };
      return manager.save(user);
    });
    const organization = await this.dataSource.manager.findOneByOrFail(Organization, { id: account.organizationId });
    return { user: toAccountView(account), organization: toOrganizationView(organization) };
  }
}
