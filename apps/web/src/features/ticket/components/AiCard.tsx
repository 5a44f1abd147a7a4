import { Alert, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import type { TicketChanges } from '../../tickets/api/tickets';
import { useSuggestedReply, useSummary } from '../hooks/ticket';

interface Props {
  ticket: TicketView;
  /** The suggested reply goes into the composer for the agent to edit. */
  onDraft(text: string): void;
  onApplyTriage(changes: TicketChanges): void;
  applying: boolean;
}

export function AiCard({ ticket, onDraft, onApplyTriage, applying }: Props) {
  const summary = useSummary(ticket.id);
  const suggestion = useSuggestedReply(ticket.id);
  const triage = ticket.aiTriage;
  const triageChanges: TicketChanges | null = triage
    ? {
        ...(triage.priority.value !== ticket.priority ? { priority: triage.priority.value } : {}),
        ...(triage.tags.some((tag) => !ticket.tags.includes(tag.value)) ? { tags: [...new Set([...ticket.tags, ...triage.tags.map((tag) => tag.value)])] } : {}),
      }
    : null;

  return (
    <Paper withBorder p="sm" component="section" aria-label={t.ticket.ai}>
      <Title order={2} size="h5" mb="xs">
        {t.ticket.ai}
      </Title>
      <Stack gap="xs">
        <Group gap="xs">
          <Button size="xs" variant="light" loading={summary.isPending} onClick={() => summary.mutate()}>
            {t.ticket.summarize}
          </Button>
          <Button size="xs" variant="light" loading={suggestion.isPending} onClick={() => suggestion.mutate(undefined, { onSuccess: (reply) => onDraft(reply.reply) })}>
            {t.ticket.suggestReply}
          </Button>
        </Group>
        {summary.isError || suggestion.isError ? (
          <Alert color="red" role="alert">
            {describeError(summary.error ?? suggestion.error)}
          </Alert>
        ) : null}
        {summary.data ? (
          <div>
            <Text size="xs" fw={600}>
              {t.ticket.summary}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {summary.data.summary}
            </Text>
          </div>
        ) : null}
        <div>
          <Text size="xs" fw={600}>
            {t.ticket.triage}
          </Text>
          {triage ? (
            <Stack gap={4}>
              <Group gap={4}>
                <Badge>{triage.category.value}</Badge>
                <Text size="xs" c="dimmed">
                  {t.ticket.confidence(triage.category.confidence)}
                </Text>
              </Group>
              <Group gap={4}>
                <Text size="sm">
                  {t.ticket.priority}: {t.priority[triage.priority.value]}
                </Text>
                <Text size="xs" c="dimmed">
                  {t.ticket.confidence(triage.priority.confidence)}
                </Text>
              </Group>
              {triage.tags.length ? (
                <Group gap={4}>
                  {triage.tags.map((tag) => (
                    <Badge key={tag.value} variant="outline" size="sm" title={t.ticket.confidence(tag.confidence)}>
                      {tag.value} · {Math.round(tag.confidence * 100)}%
                    </Badge>
                  ))}
                </Group>
              ) : null}
              <Button size="xs" w="fit-content" loading={applying} disabled={!triageChanges || Object.keys(triageChanges).length === 0} onClick={() => triageChanges && onApplyTriage(triageChanges)}>
                {t.ticket.applyTriage}
              </Button>
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              {t.ticket.triagePending}
            </Text>
          )}
        </div>
      </Stack>
    </Paper>
  );
}
