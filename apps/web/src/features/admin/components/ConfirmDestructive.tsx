import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';

/**
 * A destructive action's button and its confirmation dialog (revoking an API token or a NATS
 * integration, deleting a webhook). `title` names both the button and the dialog, so each row's
 * button is told apart ("Revoke Nightly CRM sync"); `confirmLabel` is the short text of both buttons.
 * `run` starts the mutation: success closes the dialog with a green `doneNotice`, failure keeps it
 * open with a red notice.
 */
export function ConfirmDestructive({
  title,
  body,
  confirmLabel,
  doneNotice,
  pending,
  run,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  doneNotice: string;
  pending: boolean;
  run(callbacks: { onSuccess(): void; onError(error: unknown): void }): void;
}) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Button size="xs" variant="subtle" color="red" aria-label={title} onClick={() => setConfirming(true)}>
        {confirmLabel}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={confirming} onClose={() => setConfirming(false)} title={title}>
        <Stack gap="sm">
          <Text size="sm">{body}</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </Button>
            <Button
              color="red"
              loading={pending}
              onClick={() =>
                run({
                  onSuccess: () => {
                    setConfirming(false);
                    notifications.show({ color: 'green', message: doneNotice });
                  },
                  onError: (error) => notifications.show({ color: 'red', message: describeError(error) }),
                })
              }
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
