import { Avatar, Group, Text, Tooltip } from '@mantine/core';
import type { TicketPresence } from '@helpdesk/contracts';
import { t } from '../../../i18n';

interface Props {
  presence: TicketPresence | null;
  myUserId: string;
  nameOf(id: string): string;
}

/** Who else has the ticket open and who is typing (staff), or whether an agent is replying (customers). */
export function Presence({ presence, myUserId, nameOf }: Props) {
  if (!presence) return null;
  if (presence.scope === 'customer') {
    return presence.agentTyping ? (
      <Text size="sm" c="dimmed" role="status">
        {t.ticket.agentTyping}
      </Text>
    ) : null;
  }
  const others = presence.viewers.filter((viewer) => viewer.userId !== myUserId);
  const typists = presence.typing.filter((typist) => typist.userId !== myUserId);
  const replying = typists.filter((typist) => !typist.internal).map((typist) => nameOf(typist.userId));
  const noting = typists.filter((typist) => typist.internal).map((typist) => nameOf(typist.userId));
  return (
    <section aria-label={t.ticket.viewers}>
      <Text size="xs" fw={600} c="dimmed" mb={4}>
        {t.ticket.viewers}
      </Text>
      {others.length ? (
        <Group gap={4}>
          {others.map((viewer) => (
            <Tooltip key={viewer.userId} label={`${nameOf(viewer.userId)} (${t.role[viewer.role]})`}>
              <Avatar size="sm" radius="xl" color={viewer.role === 'customer' ? 'teal' : 'indigo'} aria-label={`${nameOf(viewer.userId)} (${t.role[viewer.role]})`}>
                {nameOf(viewer.userId).slice(0, 1).toUpperCase()}
              </Avatar>
            </Tooltip>
          ))}
        </Group>
      ) : (
        <Text size="xs" c="dimmed">
          {t.ticket.nobodyElse}
        </Text>
      )}
      <div role="status" aria-live="polite">
        {replying.length ? <Text size="sm">{t.ticket.typing(replying.join(', '))}</Text> : null}
        {noting.length ? <Text size="sm">{t.ticket.typingNote(noting.join(', '))}</Text> : null}
      </div>
    </section>
  );
}
