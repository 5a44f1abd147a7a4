import { normalizeEmail } from '@helpdesk/common';
import type { EntityManager } from 'typeorm';
import { Organization } from '../organizations/organization.entity.js';
import { User } from '../users/user.entity.js';

/** Every account with this email (case-insensitively), across organizations, or only in the one with this slug. Includes the password hash. */
export function accountsByEmail(manager: EntityManager, email: string, organizationSlug?: string): Promise<User[]> {
  const query = manager.createQueryBuilder(User, 'account').addSelect('account.passwordHash').where('lower(account.email) = :email', { email: normalizeEmail(email) });
  if (organizationSlug !== undefined) {
    query.innerJoin(Organization, 'organization', 'organization.id = account.organizationId AND organization.slug = :slug', { slug: organizationSlug.trim().toLowerCase() });
  }
  return query.getMany();
}
