import { Badge, Button, Group, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UserView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { queryKeys } from '../../../lib/query-keys';
import { clearBounce, getUser } from '../api/directory';

/**
 * The "mail bounces" mark of a user (DESIGN section 13): a delivery-status report named their
 * address, so nothing is mailed to it. Staff clear it once the address works again.
 */
export function BouncingAddress({ user, onCleared }: { user: Pick<UserView, 'id' | 'name' | 'email' | 'bouncingSince'>; onCleared?: () => void }) {
  const queryClient = useQueryClient();
  const clear = useMutation({
    mutationFn: clearBounce,
    onSuccess: () => {
      notifications.show({ color: 'green', message: t.bounce.cleared(user.email) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.users.all });
      onCleared?.();
    },
    onError: (error) => notifications.show({ color: 'red', message: describeError(error) }),
  });
  if (!user.bouncingSince) return null;
  return (
    // Wraps in the ticket page's narrow column rather than cutting the badge and the button short.
    <Group gap={4} wrap="wrap">
      <Tooltip label={t.bounce.since(formatDateTime(user.bouncingSince))} multiline w={260}>
        <Badge color="orange" variant="light" size="sm">
          {t.bounce.badge}
        </Badge>
      </Tooltip>
      <Button size="compact-xs" variant="subtle" loading={clear.isPending} onClick={() => clear.mutate(user.id)}>
        {t.bounce.clear(user.name)}
      </Button>
    </Group>
  );
}

/** The requester's mark on the ticket page (staff only: customers never see other users' addresses). */
export function RequesterBounce({ userId }: { userId: string }) {
  // The same cache entry the directory fills with the requester's UserView.
  const user = useQuery({ queryKey: queryKeys.users.detail(userId), queryFn: () => getUser(userId), staleTime: 60_000 });
  return user.data && 'bouncingSince' in user.data ? <BouncingAddress user={user.data} /> : null;
}
