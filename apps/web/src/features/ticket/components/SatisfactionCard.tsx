import { Badge, Group, Paper, Text } from '@mantine/core';
import type { TicketSatisfactionView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { formatDateTime } from '../../../lib/format';

/** The requester's rating from the solved mail's survey, as staff see it beside the ticket. */
export function SatisfactionCard({ satisfaction }: { satisfaction: TicketSatisfactionView | null | undefined }) {
  return (
    <Paper withBorder p="sm" component="section" aria-label={t.satisfaction.title}>
      <Text size="xs" fw={600} c="dimmed">
        {t.satisfaction.title}
      </Text>
      {satisfaction ? (
        <>
          <Group gap="xs" mt={4}>
            <Badge color={satisfaction.rating === 'good' ? 'green' : 'red'} variant="light">
              {t.satisfaction.rating[satisfaction.rating]}
            </Badge>
            <Text size="xs" c="dimmed">
              {formatDateTime(satisfaction.updatedAt)}
            </Text>
          </Group>
          {satisfaction.comment ? (
            <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }}>
              {satisfaction.comment}
            </Text>
          ) : null}
        </>
      ) : (
        <Text size="sm" c="dimmed">
          {t.satisfaction.notRated}
        </Text>
      )}
    </Paper>
  );
}
