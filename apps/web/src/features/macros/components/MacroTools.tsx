import { Alert, Button, Group, Loader, Modal, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TicketFieldValue, TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { isConflict } from '../../ticket/hooks/ticket';
import { MessageBody } from '../../ticket/components/MessageBody';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { useApplyMacro, useCannedResponses, useMacroPreview, useMacros, useRenderCannedResponse } from '../hooks/macros';

const FIELDS = ['status', 'priority', 'assigneeId', 'teamId', 'tags'] as const;

interface Naming {
  nameOf(userId: string): string;
  teamName(teamId: string): string;
}

function shown(ticket: TicketView, field: (typeof FIELDS)[number], naming: Naming): string {
  switch (field) {
    case 'status':
      return t.status[ticket.status];
    case 'priority':
      return t.priority[ticket.priority];
    case 'assigneeId':
      return ticket.assigneeId ? naming.nameOf(ticket.assigneeId) : t.common.none;
    case 'teamId':
      return ticket.teamId ? naming.teamName(ticket.teamId) : t.common.none;
    case 'tags':
      return ticket.tags.join(', ') || t.common.none;
  }
}

/** A custom field's value as a short text: options joined, a tick as yes or no. */
export function shownFieldValue(value: TicketFieldValue | null | undefined): string {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return t.common.none;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? t.macros.ticked : t.macros.unticked;
  return String(value);
}

const FIELD_LABELS = { status: t.ticket.status, priority: t.ticket.priority, assigneeId: t.ticket.assignee, teamId: t.ticket.team, tags: t.ticket.tags };

/** "Apply macro": pick one, see what it would change and the comment it would add (computed by the server, saved nowhere), then confirm. */
export function ApplyMacroButton({ ticket, naming }: { ticket: TicketView; naming: Naming }) {
  const [opened, setOpened] = useState(false);
  const [macroId, setMacroId] = useState<string | null>(null);
  const macros = useMacros(opened);
  const preview = useMacroPreview(ticket, opened ? macroId : null);
  const apply = useApplyMacro(ticket.id);
  const close = () => {
    setOpened(false);
    setMacroId(null);
    apply.reset();
  };
  const chosen = macros.data?.items.find((macro) => macro.id === macroId);
  const changes = preview.data ? FIELDS.filter((field) => shown(ticket, field, naming) !== shown(preview.data.ticket, field, naming)) : [];
  const definitions = useTicketFields(true, opened).data ?? [];
  const before = ticket.fields ?? {};
  const after = preview.data?.ticket.fields ?? {};
  const fieldChanges = preview.data ? [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) : [];
  const fieldLabel = (key: string) => definitions.find((field) => field.key === key)?.label ?? key;
  return (
    <>
      <Button variant="light" size="xs" onClick={() => setOpened(true)}>
        {t.macros.apply}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={opened} onClose={close} title={t.macros.apply} size="lg">
        <Stack gap="sm">
          <Select
            label={t.macros.chooseMacro}
            data={(macros.data?.items ?? []).map((macro) => ({ value: macro.id, label: macro.name }))}
            value={macroId}
            onChange={(next) => {
              apply.reset();
              setMacroId(next);
            }}
            searchable
            nothingFoundMessage={t.macros.noMacros}
          />
          {macros.error ? <Alert color="red">{describeError(macros.error)}</Alert> : null}
          {macroId && preview.isPending ? <Loader role="status" size="sm" aria-label={t.macros.previewLoading} /> : null}
          {preview.error ? (
            <Alert color="red" role="alert">
              {describeError(preview.error)}
            </Alert>
          ) : null}
          {preview.data ? (
            <Paper withBorder p="sm" component="section" aria-label={t.macros.previewTitle}>
              <Stack gap="xs">
                <Text size="sm" fw={600}>
                  {t.macros.previewTitle}
                </Text>
                {changes.length === 0 && fieldChanges.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t.macros.noFieldChanges}
                  </Text>
                ) : (
                  <Stack gap={2} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
                    {changes.map((field) => (
                      <Text key={field} size="sm" component="li">
                        {t.ticket.changed(FIELD_LABELS[field], shown(ticket, field, naming), shown(preview.data.ticket, field, naming))}
                      </Text>
                    ))}
                    {fieldChanges.map((key) => (
                      <Text key={`fields.${key}`} size="sm" component="li">
                        {t.ticket.changed(fieldLabel(key), shownFieldValue(before[key]), shownFieldValue(after[key]))}
                      </Text>
                    ))}
                  </Stack>
                )}
                {preview.data.comments.map((comment) => (
                  <Stack key={comment.id} gap={4}>
                    <Text size="sm">{t.macros.willAdd(comment.internal ? t.macros.internalNote : t.macros.publicReply)}</Text>
                    <Paper withBorder p="xs" bg={comment.internal ? 'yellow.0' : undefined}>
                      <MessageBody html={comment.body} />
                    </Paper>
                  </Stack>
                ))}
              </Stack>
            </Paper>
          ) : null}
          {apply.error ? (
            <Alert color="red" role="alert">
              {isConflict(apply.error) ? t.ticket.conflict : describeError(apply.error)}
            </Alert>
          ) : null}
          <Group justify="end">
            <Button variant="default" onClick={close}>
              {t.common.cancel}
            </Button>
            <Button
              disabled={!preview.data || !chosen}
              loading={apply.isPending}
              onClick={() =>
                chosen &&
                apply.mutate(
                  { macroId: chosen.id, version: ticket.version },
                  {
                    onSuccess: () => {
                      notifications.show({ color: 'green', message: t.macros.applied(chosen.name) });
                      close();
                    },
                  },
                )
              }
            >
              {t.macros.confirm}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** "Insert canned response": search by name or text; the server fills in the placeholders for this ticket and the result goes into the editor. */
export function CannedResponseButton({ ticketId, onInsert }: { ticketId: string; onInsert(html: string): void }) {
  const [opened, setOpened] = useState(false);
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 200);
  const responses = useCannedResponses(debounced, opened);
  const render = useRenderCannedResponse(ticketId);
  const close = () => {
    setOpened(false);
    setQuery('');
    render.reset();
  };
  return (
    <>
      <Button variant="light" size="xs" onClick={() => setOpened(true)}>
        {t.macros.insertCanned}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={opened} onClose={close} title={t.macros.insertCanned} size="lg">
        <Stack gap="sm">
          <TextInput label={t.macros.search} type="search" value={query} onChange={(event) => setQuery(event.currentTarget.value)} data-autofocus />
          {responses.error ? <Alert color="red">{describeError(responses.error)}</Alert> : null}
          {render.error ? (
            <Alert color="red" role="alert">
              {describeError(render.error)}
            </Alert>
          ) : null}
          {responses.isPending ? <Loader role="status" size="sm" aria-label={t.common.loading} /> : null}
          {responses.data?.items.length === 0 ? <Text c="dimmed">{debounced ? t.macros.nothingFound : t.macros.noCanned}</Text> : null}
          <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
            {(responses.data?.items ?? []).map((response) => (
              <li key={response.id}>
                <Button
                  variant="default"
                  fullWidth
                  justify="start"
                  loading={render.isPending && render.variables === response.id}
                  onClick={() =>
                    render.mutate(response.id, {
                      onSuccess: (rendered) => {
                        onInsert(rendered.body);
                        close();
                      },
                    })
                  }
                  aria-label={t.macros.insert(response.name)}
                >
                  {response.name}
                </Button>
              </li>
            ))}
          </Stack>
        </Stack>
      </Modal>
    </>
  );
}
