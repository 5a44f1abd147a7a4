import { Alert, Button, CloseButton, Group, Loader, Paper, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { TicketParticipantView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { queryKeys } from '../../../lib/query-keys';
import { BouncingAddress } from '../../directory/components/BouncingAddress';
import { addParticipant, listParticipants, removeParticipant } from '../../tickets/api/tickets';

/**
 * Who is copied on the ticket (DESIGN section 13): Cc'd on its mails or added by staff, they receive
 * its public replies. Staff see the bounce mark and add or remove people; the requester sees the list.
 */
export function Participants({ ticketId, staff }: { ticketId: string; staff: boolean }) {
  const queryClient = useQueryClient();
  const key = queryKeys.tickets.participants(ticketId);
  const participants = useQuery({ queryKey: key, queryFn: () => listParticipants(ticketId) });
  const [email, setEmail] = useState('');
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: key });
    void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.history(ticketId) });
  };
  const add = useMutation({
    mutationFn: (address: string) => addParticipant(ticketId, { email: address }),
    onSuccess: (participant) => {
      setEmail('');
      notifications.show({ color: 'green', message: t.participants.added(participant.email) });
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (participant: TicketParticipantView) => removeParticipant(ticketId, participant.userId),
    onSuccess: (_nothing, participant) => {
      notifications.show({ color: 'green', message: t.participants.removed(participant.email) });
      refresh();
    },
    onError: (error) => notifications.show({ color: 'red', message: describeError(error) }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim()) add.mutate(email.trim());
  };

  // The portal stays calm: a requester who copied nobody sees no empty box.
  if (!staff && !participants.data?.length) return null;
  return (
    <Paper withBorder p="sm" component="section" aria-label={t.participants.title}>
      <Stack gap={4}>
        <Text size="xs" fw={600} c="dimmed">
          {t.participants.title}
        </Text>
        {participants.isPending ? <Loader role="status" size="xs" aria-label={t.common.loading} /> : null}
        {participants.isError ? (
          <Alert color="red" p="xs">
            {describeError(participants.error)}
          </Alert>
        ) : null}
        {participants.data?.length === 0 ? (
          <Text size="xs" c="dimmed">
            {t.participants.none}
          </Text>
        ) : null}
        {participants.data?.length ? (
          <Stack gap={2} component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t.participants.title}>
            {participants.data.map((participant) => (
              <li key={participant.userId}>
                <Group gap={4} wrap="nowrap" justify="space-between">
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {participant.name}{' '}
                    <Text span size="xs" c="dimmed">
                      {participant.email}
                    </Text>
                  </Text>
                  {staff ? (
                    <CloseButton size="sm" aria-label={t.participants.remove(participant.name)} disabled={remove.isPending} onClick={() => remove.mutate(participant)} />
                  ) : null}
                </Group>
                {staff && participant.bouncingSince ? (
                  <BouncingAddress user={{ id: participant.userId, name: participant.name, email: participant.email, bouncingSince: participant.bouncingSince }} onCleared={refresh} />
                ) : null}
              </li>
            ))}
          </Stack>
        ) : null}
        {participants.data?.length ? (
          <Text size="xs" c="dimmed">
            {t.participants.hint}
          </Text>
        ) : null}
        {staff ? (
          <form onSubmit={submit} noValidate>
            <Group gap={4} align="flex-start" wrap="nowrap">
              <TextInput
                size="xs"
                type="email"
                style={{ flex: 1 }}
                aria-label={t.participants.email}
                placeholder={t.participants.email}
                value={email}
                onChange={(event) => {
                  setEmail(event.currentTarget.value);
                  if (add.error) add.reset();
                }}
                error={add.error ? describeError(add.error) : undefined}
              />
              <Button size="xs" type="submit" variant="light" loading={add.isPending} disabled={!email.trim()}>
                {t.participants.add}
              </Button>
            </Group>
          </form>
        ) : null}
      </Stack>
    </Paper>
  );
}
