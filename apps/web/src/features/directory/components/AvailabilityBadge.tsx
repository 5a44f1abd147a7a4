import { Badge, Tooltip } from '@mantine/core';
import type { Availability, UserView } from '@helpdesk/contracts';
import { t } from '../../../i18n';

const COLORS: Record<Availability, string> = { online: 'green', away: 'yellow', offline: 'gray' };

/** What automatic assignment sees: hand-set away/offline, else online only while connected. */
export function AvailabilityBadge({ user }: { user: Pick<UserView, 'availability' | 'availabilitySetting'> }) {
  const badge = (
    <Badge size="sm" variant="light" color={COLORS[user.availability]}>
      {t.assignment.states[user.availability]}
    </Badge>
  );
  // Set to online but not connected: say why it shows offline.
  return user.availabilitySetting === 'online' && user.availability === 'offline' ? <Tooltip label={t.assignment.notConnected}>{badge}</Tooltip> : badge;
}
