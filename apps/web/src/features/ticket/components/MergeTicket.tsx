import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { queryKeys } from '../../../lib/query-keys';
import { mergeTicket } from '../../tickets/api/tickets';
import { TicketPicker } from './TicketPicker';

/** "Merge into…": pick the ticket that carries on, read what will move, confirm; then open the target. */
export function MergeTicket({ ticket }: { ticket: TicketView }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const [target, setTarget] = useState<TicketView | null>(null);
  const merge = useMutation({
    mutationFn: (into: TicketView) => mergeTicket(ticket.id, into.id),
    onSuccess: (merged) => {
      notifications.show({ color: 'green', message: t.merge.done(ticket.number, merged.number) });
      queryClient.setQueryData(queryKeys.tickets.detail(merged.id), merged);
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.detail(ticket.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.detail(merged.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.lists });
      setOpened(false);
      void navigate(`/tickets/${merged.id}`);
    },
  });
  const close = () => {
    setOpened(false);
    setTarget(null);
    merge.reset();
  };
  if (ticket.status === 'closed') return null;
  return (
    <>
      <Button size="xs" variant="default" onClick={() => setOpened(true)}>
        {t.merge.open}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={opened} onClose={close} title={t.merge.title(ticket.number)}>
        <Stack gap="sm">
          <TicketPicker label={t.merge.target} excludeIds={[ticket.id]} value={target} onChange={setTarget} />
          {target ? <Text size="sm">{t.merge.explain(ticket.number, target.number)}</Text> : null}
          {merge.error ? (
            <Alert color="red" role="alert">
              {describeError(merge.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              {t.merge.cancel}
            </Button>
            <Button color="red" disabled={!target} loading={merge.isPending} onClick={() => target && merge.mutate(target)}>
              {target ? t.merge.confirm(target.number) : t.merge.open}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
