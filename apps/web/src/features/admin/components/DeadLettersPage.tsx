import { Alert, Button, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { useReplayDeadLetters } from '../hooks/admin';
import { AdminPage } from './AdminPage';

/**
 * `/admin/dead-letters`: the API offers replay only (POST .../dead-letters/replay); the ids come from
 * the notification service's logs or the failure mails. Without ids every dead delivery is replayed.
 */
export function DeadLettersPage() {
  const replay = useReplayDeadLetters();
  const [ids, setIds] = useState('');
  const deliveryIds = ids
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
  return (
    <AdminPage title={t.admin.deadLetters}>
      <Paper withBorder p="sm" maw={640}>
        <Stack gap="sm">
          <Text size="sm">{t.admin.deadLettersHint}</Text>
          <Textarea label={t.admin.deliveryIds} autosize minRows={3} value={ids} onChange={(event) => setIds(event.currentTarget.value)} />
          <Button w="fit-content" loading={replay.isPending} onClick={() => replay.mutate(deliveryIds.length ? deliveryIds : undefined)}>
            {t.admin.replay}
          </Button>
          {replay.isSuccess ? (
            <Alert color="green" role="status">
              {t.admin.replayed(replay.data.deliveryIds.length)}
            </Alert>
          ) : null}
          {replay.isError ? (
            <Alert color="red" role="alert">
              {describeError(replay.error)}
            </Alert>
          ) : null}
        </Stack>
      </Paper>
    </AdminPage>
  );
}
