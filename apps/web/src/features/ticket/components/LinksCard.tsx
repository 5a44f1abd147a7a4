import { Alert, Anchor, Badge, Button, CloseButton, Group, Loader, Paper, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { TicketLinkKind, TicketLinkView, TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { queryKeys } from '../../../lib/query-keys';
import { STATUS_COLORS } from '../../tickets/components/TicketRow';
import { addLink, listLinks, removeLink } from '../../tickets/api/tickets';
import { TicketPicker } from './TicketPicker';

const LINK_KINDS: readonly TicketLinkKind[] = ['related', 'parent', 'child'];

/** The ticket's links (related, parent/child, merges), each with the other ticket's status; staff add and remove them. */
export function LinksCard({ ticket }: { ticket: TicketView }) {
  const queryClient = useQueryClient();
  const key = queryKeys.tickets.links(ticket.id);
  const links = useQuery({ queryKey: key, queryFn: () => listLinks(ticket.id) });
  const [other, setOther] = useState<TicketView | null>(null);
  const [kind, setKind] = useState<TicketLinkKind>('related');
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: key });
    void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.history(ticket.id) });
  };
  const add = useMutation({
    mutationFn: (target: TicketView) => addLink(ticket.id, { targetId: target.id, kind }),
    onSuccess: (link) => {
      setOther(null);
      notifications.show({ color: 'green', message: t.links.added(link.ticket.number) });
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (link: TicketLinkView) => removeLink(ticket.id, link.ticket.id),
    onSuccess: (_nothing, link) => {
      notifications.show({ color: 'green', message: t.links.removed(link.ticket.number) });
      refresh();
    },
    onError: (error) => notifications.show({ color: 'red', message: describeError(error) }),
  });

  return (
    <Paper withBorder p="sm" component="section" aria-label={t.links.title}>
      <Stack gap={4}>
        <Text size="xs" fw={600} c="dimmed">
          {t.links.title}
        </Text>
        {links.isPending ? <Loader role="status" size="xs" aria-label={t.common.loading} /> : null}
        {links.isError ? (
          <Alert color="red" p="xs">
            {describeError(links.error)}
          </Alert>
        ) : null}
        {links.data?.length === 0 ? (
          <Text size="xs" c="dimmed">
            {t.links.none}
          </Text>
        ) : null}
        {links.data?.length ? (
          <Stack gap={2} component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t.links.title}>
            {links.data.map((link) => (
              <li key={link.ticket.id}>
                <Group gap={4} wrap="nowrap" justify="space-between">
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    <Text span size="xs" c="dimmed">
                      {t.links.kinds[link.kind]}:{' '}
                    </Text>
                    <Anchor component={Link} to={`/tickets/${link.ticket.id}`} size="sm">
                      #{link.ticket.number} {link.ticket.subject}
                    </Anchor>{' '}
                    <Badge size="xs" color={STATUS_COLORS[link.ticket.status]}>
                      {t.status[link.ticket.status]}
                    </Badge>
                  </Text>
                  {link.kind === 'merged_into' || link.kind === 'merged_from' ? null : (
                    <CloseButton size="sm" aria-label={t.links.remove(link.ticket.number)} disabled={remove.isPending} onClick={() => remove.mutate(link)} />
                  )}
                </Group>
              </li>
            ))}
          </Stack>
        ) : null}
        <TicketPicker
          label={t.ticketPicker.label}
          excludeIds={[ticket.id, ...(links.data ?? []).map((link) => link.ticket.id)]}
          value={other}
          onChange={(picked) => {
            setOther(picked);
            add.reset();
          }}
        />
        <Group gap={4} align="flex-end" wrap="nowrap">
          <Select
            size="xs"
            style={{ flex: 1 }}
            label={t.links.kind}
            allowDeselect={false}
            data={LINK_KINDS.map((value) => ({ value, label: t.links.kindOptions[value] }))}
            value={kind}
            onChange={(value) => value && setKind(value as TicketLinkKind)}
          />
          <Button size="xs" variant="light" disabled={!other} loading={add.isPending} onClick={() => other && add.mutate(other)}>
            {t.links.add}
          </Button>
        </Group>
        {add.error ? (
          <Alert color="red" p="xs" role="alert">
            {describeError(add.error)}
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}
