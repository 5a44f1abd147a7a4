import { Alert, Button, Group, Loader, Paper, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { queryKeys } from '../../../lib/query-keys';
import { followTicket, listFollowers, unfollowTicket } from '../../tickets/api/tickets';

/**
 * The staff following the ticket, who hear of its comments and status changes by mail, and the
 * button with which the signed-in staff member follows or unfollows it. Staff only.
 */
export function Followers({ ticketId, myUserId }: { ticketId: string; myUserId: string }) {
  const queryClient = useQueryClient();
  const key = queryKeys.tickets.followers(ticketId);
  const followers = useQuery({ queryKey: key, queryFn: () => listFollowers(ticketId) });
  const following = followers.data?.some((follower) => follower.userId === myUserId) ?? false;
  const toggle = useMutation({
    mutationFn: async (follow: boolean) => {
      if (follow) await followTicket(ticketId);
      else await unfollowTicket(ticketId);
    },
    onSuccess: (_answer, follow) => notifications.show({ color: 'green', message: follow ? t.followers.followed : t.followers.unfollowed }),
    onError: (error) => notifications.show({ color: 'red', message: describeError(error) }),
    // Also after a 409 or 404 (a second tab got there first): the list shows what is true now.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: key });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.history(ticketId) });
    },
  });

  return (
    <Paper withBorder p="sm" component="section" aria-label={t.followers.title}>
      <Stack gap={4}>
        <Group gap={4} justify="space-between" wrap="nowrap">
          <Text size="xs" fw={600} c="dimmed">
            {t.followers.title}
          </Text>
          <Button size="compact-xs" variant={following ? 'default' : 'light'} loading={toggle.isPending} disabled={!followers.data} onClick={() => toggle.mutate(!following)}>
            {following ? t.followers.unfollow : t.followers.follow}
          </Button>
        </Group>
        {followers.isPending ? <Loader role="status" size="xs" aria-label={t.common.loading} /> : null}
        {followers.isError ? (
          <Alert color="red" p="xs">
            {describeError(followers.error)}
          </Alert>
        ) : null}
        {followers.data?.length === 0 ? (
          <Text size="xs" c="dimmed">
            {t.followers.none}
          </Text>
        ) : null}
        {followers.data?.length ? (
          <>
            <Stack gap={2} component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t.followers.title}>
              {followers.data.map((follower) => (
                <li key={follower.userId}>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {follower.userId === myUserId ? t.followers.you(follower.name) : follower.name}{' '}
                    <Text span size="xs" c="dimmed">
                      {t.followers.since(formatDateTime(follower.followedAt))}
                    </Text>
                  </Text>
                </li>
              ))}
            </Stack>
            <Text size="xs" c="dimmed">
              {t.followers.hint}
            </Text>
          </>
        ) : null}
      </Stack>
    </Paper>
  );
}
