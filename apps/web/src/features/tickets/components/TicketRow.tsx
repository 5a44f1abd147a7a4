import { Avatar, Badge, Box, Group, Text, Tooltip, UnstyledButton } from '@mantine/core';
import type { TicketView } from '@helpdesk/contracts';
import { Link } from 'react-router';
import { t } from '../../../i18n';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { PriorityMark } from './PriorityMark';
import { SlaBadge } from './SlaBadge';

export const STATUS_COLORS: Record<string, string> = { new: 'yellow', open: 'red', pending: 'blue', on_hold: 'gray', solved: 'green', closed: 'dark' };

interface Props {
  ticket: TicketView;
  selected: boolean;
  staff: boolean;
  now: number;
  nameOf(id: string | null): string;
  onSelect(): void;
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();

export function TicketRow({ ticket, selected, staff, now, nameOf, onSelect }: Props) {
  return (
    <Box
      component="li"
      px="sm"
      py={6}
      bg={selected ? 'var(--mantine-color-indigo-light)' : undefined}
      style={{ borderBottom: '1px solid var(--mantine-color-default-border)', listStyle: 'none' }}
      onMouseEnter={onSelect}
      data-selected={selected || undefined}
    >
      <Group gap="sm" wrap="nowrap" align="center">
        <PriorityMark priority={ticket.priority} />
        <UnstyledButton component={Link} to={`/tickets/${ticket.id}`} style={{ flex: 1, minWidth: 0 }} aria-current={selected ? 'true' : undefined}>
          <Text size="sm" fw={ticket.status === 'new' ? 700 : 500} truncate="end">
            <Text span c="dimmed" size="sm" mr={6}>
              #{ticket.number}
            </Text>
            {ticket.subject}
          </Text>
          {staff ? (
            <Text size="xs" c="dimmed" truncate="end">
              {t.queue.requester(nameOf(ticket.requesterId))}
              {ticket.tags.length ? ` · ${ticket.tags.join(', ')}` : ''}
            </Text>
          ) : null}
        </UnstyledButton>
        <Badge color={STATUS_COLORS[ticket.status]} size="sm" w={80} style={{ flexShrink: 0 }}>
          {t.status[ticket.status]}
        </Badge>
        {staff ? (
          <Box visibleFrom="sm" style={{ flexShrink: 0 }}>
            <Tooltip label={`${t.queue.columns.assignee}: ${nameOf(ticket.assigneeId)}`}>
              <Avatar size="sm" radius="xl" color={ticket.assigneeId ? 'indigo' : 'gray'} aria-label={`${t.queue.columns.assignee}: ${nameOf(ticket.assigneeId)}`}>
                {ticket.assigneeId ? initials(nameOf(ticket.assigneeId)) : '–'}
              </Avatar>
            </Tooltip>
          </Box>
        ) : null}
        {staff ? (
          <Box visibleFrom="sm" w={150} style={{ flexShrink: 0 }}>
            <SlaBadge ticket={ticket} now={now} />
          </Box>
        ) : null}
        <Tooltip label={formatDateTime(ticket.updatedAt)}>
          <Text size="xs" c="dimmed" w={70} ta="right" style={{ flexShrink: 0 }} visibleFrom="xs">
            {formatRelative(ticket.updatedAt, now)}
          </Text>
        </Tooltip>
      </Group>
    </Box>
  );
}
