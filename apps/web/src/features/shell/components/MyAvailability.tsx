import { Group, Select } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import type { Availability, UserView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { queryKeys } from '../../../lib/query-keys';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { getUser } from '../../directory/api/directory';
import { AVAILABILITY_VALUES } from '../../directory/assignment-options';
import { AvailabilityBadge } from '../../directory/components/AvailabilityBadge';
import { useUpdateMe } from '../../profile/hooks/profile';

const OPTIONS = AVAILABILITY_VALUES.map((value) => ({ value, label: t.assignment.states[value] }));

/**
 * The agent's own availability for automatic assignment: `online` follows the open console
 * (realtime presence), `away` and `offline` hold until changed. The badge shows what assignment sees.
 */
export function MyAvailability() {
  const me = useCurrentUser();
  const update = useUpdateMe();
  // Presence changes without this page saving anything (the realtime connection opens a moment after /me answered): read it again now and then.
  const live = useQuery({
    queryKey: [...queryKeys.me, 'availability', me.user.availabilitySetting],
    queryFn: () => getUser(me.user.id) as Promise<UserView>,
    refetchInterval: 15_000,
  });
  return (
    <Group gap="xs" px="xs" wrap="nowrap" align="end">
      <Select
        label={t.assignment.myAvailability}
        data={OPTIONS}
        value={me.user.availabilitySetting}
        allowDeselect={false}
        disabled={update.isPending}
        onChange={(availability) => availability && update.mutate({ availability: availability as Availability }, { onError: (error) => notifications.show({ color: 'red', message: describeError(error) }) })}
        size="xs"
        style={{ flex: 1 }}
      />
      <AvailabilityBadge user={live.data && 'availability' in live.data ? live.data : me.user} />
    </Group>
  );
}
