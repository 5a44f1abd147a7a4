import { Alert, Anchor, Badge, Button, Center, Grid, Group, Loader, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { replaceEqualDeep } from '@tanstack/react-query';
import { memo, useCallback, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { RequesterBounce } from '../../directory/components/BouncingAddress';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { usePresence } from '../../realtime/hooks/usePresence';
import type { TicketChanges } from '../../tickets/api/tickets';
import { useNow } from '../../tickets/hooks/useNow';
import { SlaBadge } from '../../tickets/components/SlaBadge';
import { STATUS_COLORS } from '../../tickets/components/TicketRow';
import { useAttachments, useComments, useLastChangedBy, useRequesterTickets, useTicket, useUpdateTicket } from '../hooks/ticket';
import { ApplyMacroButton, CannedResponseButton } from '../../macros/components/MacroTools';
import { AiCard } from './AiCard';
import { SatisfactionCard } from './SatisfactionCard';
import { Composer, type ComposerMode } from './Composer';
import { Conversation } from './Conversation';
import { HistoryTab } from './HistoryTab';
import { LinksCard } from './LinksCard';
import { MergeTicket } from './MergeTicket';
import { Followers } from './Followers';
import { Participants } from './Participants';
import { Presence } from './Presence';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { PropertiesPanel } from './PropertiesPanel';

/** `/tickets/:id`: the conversation and composer on the left; requester, properties, SLA, AI and presence on the right. */
export function TicketPage() {
  const { id = '' } = useParams();
  const ticket = useTicket(id);
  // Opened from a list, the page first shows the list's copy; the fetched ticket is usually equal to
  // it, and then keeps that object, so the memoised workspace does not render again for nothing.
  const shown = useRef<TicketView | undefined>(undefined);
  shown.current = replaceEqualDeep(shown.current, ticket.data);
  const { refetch } = ticket;
  const reload = useCallback(() => void refetch(), [refetch]);
  if (ticket.isPending)
    return (
      <Center h="50vh">
        <Loader role="status" aria-label={t.common.loading} />
      </Center>
    );
  if (ticket.isError)
    return (
      <Alert color="red" m="md" role="alert">
        {describeError(ticket.error)}{' '}
        <Anchor component={Link} to="/tickets">
          {t.ticket.back}
        </Anchor>
      </Alert>
    );
  return <TicketWorkspace ticket={shown.current ?? ticket.data} onReload={reload} />;
}

const TicketWorkspace = memo(function TicketWorkspace({ ticket, onReload }: { ticket: TicketView; onReload(): void }) {
  const me = useCurrentUser();
  const staff = me.user.role !== 'customer';
  const teams = useTeams(staff);
  const customFields = useTicketFields(false, staff);
  const comments = useComments(ticket.id);
  const attachments = useAttachments(ticket.id);
  const requesterTickets = useRequesterTickets(ticket.requesterId, staff);
  const update = useUpdateTicket(ticket.id);
  const lastChangedBy = useLastChangedBy(ticket.id);
  const { presence, typing, stoppedTyping } = usePresence(ticket.id);
  const directory = useUserDirectory([
    ticket.requesterId,
    ticket.assigneeId,
    lastChangedBy,
    ...comments.items.map((comment) => comment.authorId),
    ...(presence?.scope === 'staff' ? [...presence.viewers, ...presence.typing].map((user) => user.userId) : []),
  ]);
  const now = useNow();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [draft, setDraft] = useState<{ text: string; key: number } | null>(null);
  const [insertion, setInsertion] = useState<{ html: string; key: number } | null>(null);
  const focusEditor = useRef<() => void>(() => undefined);
  const setEditorFocus = useCallback((focus: () => void) => (focusEditor.current = focus), []);

  useHotkeys([
    ['r', () => { setMode('reply'); focusEditor.current(); }],
    ['n', () => { if (staff) { setMode('note'); focusEditor.current(); } }],
  ]);

  const save = (version: number, changes: TicketChanges) => update.mutateAsync({ version, changes });
  const teamOptions = (teams.data ?? []).map((team) => ({ value: team.id, label: team.name }));
  const assigneeOptions = directory.assignable.map((user) => ({ value: user.id, label: user.id === me.user.id ? `${user.name} (${t.queue.me})` : user.name }));
  // Shown next to each name in the picker, so an agent hands the ticket to someone who is around.
  const availabilityOf = (userId: string) => directory.assignable.find((user) => user.id === userId)?.availability;
  // A deactivated assignee is no longer assignable, but the picker still names who holds the ticket.
  if (ticket.assigneeId && !assigneeOptions.some((option) => option.value === ticket.assigneeId)) {
    assigneeOptions.push({ value: ticket.assigneeId, label: directory.nameOf(ticket.assigneeId) });
  }

  const conversation = (
    <Stack gap="sm">
      {comments.isError ? <Alert color="red">{describeError(comments.error)}</Alert> : null}
      {comments.isPending ? <Loader role="status" size="sm" aria-label={t.common.loading} /> : <Conversation ticket={ticket} comments={comments.items} attachments={attachments.items} nameOf={directory.nameOf} />}
      {comments.hasNextPage ? (
        <Button variant="subtle" size="xs" onClick={() => void comments.fetchNextPage()}>
          {t.common.loadMore}
        </Button>
      ) : null}
      <Composer
        ticketId={ticket.id}
        mode={mode}
        onModeChange={setMode}
        allowNotes={staff}
        draft={draft}
        onTyping={typing}
        onStoppedTyping={stoppedTyping}
        editorRef={setEditorFocus}
        insertion={insertion}
        tools={
          staff ? (
            <>
              <CannedResponseButton ticketId={ticket.id} onInsert={(html) => setInsertion({ html, key: Date.now() })} />
              <ApplyMacroButton ticket={ticket} naming={{ nameOf: directory.nameOf, teamName: (teamId) => teamOptions.find((option) => option.value === teamId)?.label ?? teamId }} />
            </>
          ) : null
        }
      />
    </Stack>
  );

  return (
    <Stack p={{ base: 'xs', sm: 'md' }} gap="sm">
      <Group gap="xs" wrap="wrap">
        <Anchor component={Link} to="/tickets" size="sm">
          ← {t.ticket.back}
        </Anchor>
      </Group>
      <Group gap="xs" align="center" wrap="wrap">
        <Title order={1} size="h3" style={{ overflowWrap: 'anywhere' }}>
          <Text span c="dimmed" inherit>
            #{ticket.number}
          </Text>{' '}
          {ticket.subject}
        </Title>
        <Badge color={STATUS_COLORS[ticket.status]}>
          {t.status[ticket.status]}
        </Badge>
        {staff ? <SlaBadge ticket={ticket} now={now} /> : null}
        {staff ? <MergeTicket ticket={ticket} /> : null}
      </Group>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: staff ? 8 : 12 }}>
          {staff ? (
            <Tabs defaultValue="conversation" keepMounted={false}>
              <Tabs.List mb="sm">
                <Tabs.Tab value="conversation">{t.ticket.conversation}</Tabs.Tab>
                <Tabs.Tab value="history">{t.ticket.history}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="conversation">{conversation}</Tabs.Panel>
              <Tabs.Panel value="history">
                <HistoryTab ticketId={ticket.id} />
              </Tabs.Panel>
            </Tabs>
          ) : (
            conversation
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: staff ? 4 : 12 }}>
          <Stack gap="sm">
            {presence ? (
              <Paper withBorder p="sm">
                <Presence presence={presence} myUserId={me.user.id} nameOf={directory.nameOf} />
              </Paper>
            ) : null}
            {staff ? (
              <>
                <Paper withBorder p="sm" component="section" aria-label={t.ticket.requester}>
                  <Text size="xs" fw={600} c="dimmed">
                    {t.ticket.requester}
                  </Text>
                  <Text size="sm">{directory.nameOf(ticket.requesterId)}</Text>
                  <RequesterBounce userId={ticket.requesterId} />
                  {ticket.requestedPriority ? (
                    <Text size="xs" c="dimmed">
                      {t.ticket.requestedPriority(t.priority[ticket.requestedPriority])}
                    </Text>
                  ) : null}
                  <Stack gap={2} mt={4}>
                    {(requesterTickets.data?.items ?? [])
                      .filter((other) => other.id !== ticket.id)
                      .map((other) => (
                        <Anchor key={other.id} component={Link} to={`/tickets/${other.id}`} size="xs" truncate="end">
                          #{other.number} {other.subject}
                        </Anchor>
                      ))}
                  </Stack>
                </Paper>
                <Participants ticketId={ticket.id} staff />
                <LinksCard ticket={ticket} />
                <Followers ticketId={ticket.id} myUserId={me.user.id} />
                <Paper withBorder p="sm">
                  <PropertiesPanel
                    ticket={ticket}
                    assignees={assigneeOptions}
                    availabilityOf={availabilityOf}
                    teams={teamOptions}
                    onSave={save}
                    saving={update.isPending}
                    saveError={update.error}
                    customFields={customFields.data}
                    changedBy={lastChangedBy && lastChangedBy !== me.user.id ? directory.nameOf(lastChangedBy) : null}
                    onReload={() => {
                      update.reset();
                      onReload();
                    }}
                  />
                </Paper>
                <Paper withBorder p="sm" component="section" aria-label={t.sla.clocks}>
                  <Stack gap={2}>
                    <Text size="xs">
                      {t.sla.firstResponse}: {ticket.firstRespondedAt ? `${t.sla.done} ${formatDateTime(ticket.firstRespondedAt)}` : ticket.firstResponseDueAt ? formatDateTime(ticket.firstResponseDueAt) : '—'}
                    </Text>
                    <Text size="xs">
                      {t.sla.nextResponse}: {ticket.nextResponseDueAt ? formatDateTime(ticket.nextResponseDueAt) : '—'}
                    </Text>
                    <Text size="xs">
                      {t.sla.resolution}: {ticket.resolvedAt ? `${t.sla.done} ${formatDateTime(ticket.resolvedAt)}` : ticket.resolutionDueAt ? formatDateTime(ticket.resolutionDueAt) : '—'}
                    </Text>
                  </Stack>
                </Paper>
                <SatisfactionCard satisfaction={ticket.satisfaction} />
                <AiCard
                  ticket={ticket}
                  onDraft={(text) => {
                    setMode('reply');
                    setDraft({ text, key: Date.now() });
                  }}
                  onApplyTriage={(changes) => void save(ticket.version, changes).catch(() => undefined)}
                  applying={update.isPending}
                />
              </>
            ) : (
              <Participants ticketId={ticket.id} staff={false} />
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
});
