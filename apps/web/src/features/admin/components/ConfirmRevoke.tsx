import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';

/**
 * A credential's revoke button and its confirmation (API tokens, NATS integrations): `revoke` runs the
 * mutation; success closes the dialog with a green notice, failure keeps it open with a red one.
 */
export function ConfirmRevoke({ title, confirmation, short, revokedNotice, pending, revoke }: { title: string; confirmation: string; short: string; revokedNotice: string; pending: boolean; revoke(callbacks: { onSuccess(): void; onError(error: unknown): void }): void }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Button size="xs" variant="subtle" color="red" aria-label={title} onClick={() => setConfirming(true)}>
        {short}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={confirming} onClose={() => setConfirming(false)} title={title}>
        <Stack gap="sm">
          <Text size="sm">{confirmation}</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </Button>
            <Button
              color="red"
              loading={pending}
              onClick={() =>
                revoke({
                  onSuccess: () => {
                    setConfirming(false);
                    notifications.show({ color: 'green', message: revokedNotice });
                  },
                  onError: (error) => notifications.show({ color: 'red', message: describeError(error) }),
                })
              }
            >
              {short}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
