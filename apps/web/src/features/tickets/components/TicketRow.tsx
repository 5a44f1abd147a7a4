import { Avatar, Badge, Box, Group, Text, UnstyledButton } from '@mantine/core';
import type { TicketView } from '@helpdesk/contracts';
import { memo } from 'react';
import { Link } from 'react-router';
import { HoverTooltip } from '../../../app/HoverTooltip';
import { t } from '../../../i18n';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { PriorityMark } from './PriorityMark';
import { SlaBadge } from './SlaBadge';

export const STATUS_COLORS: Record<string, string> = { new: 'yellow', open: 'red', pending: 'blue', on_hold: 'gray', solved: 'green', closed: 'dark' };

interface Props {
  ticket: TicketView;
  index: number;
  selected: boolean;
  staff: boolean;
  now: number;
  nameOf(id: string | null): string;
  /** The pointer entered the row. */
  onSelect(index: number): void;
  /** The person is likely to open the ticket (pointer over the row, or its link focused). */
  onIntent(ticketId: string): void;
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();

/**
 * One queue row. Memoised: with stable props (the parent passes its state setter and stable
 * callbacks), moving the selection or hovering re-renders two rows instead of the whole page.
 */
export const TicketRow = memo(function TicketRow({ ticket, index, selected, staff, now, nameOf, onSelect, onIntent }: Props) {
  const assignee = staff ? nameOf(ticket.assigneeId) : '';
  return (
    <Box
      component="li"
      px="sm"
      py={6}
      bg={selected ? 'var(--mantine-color-indigo-light)' : undefined}
      style={{ borderBottom: '1px solid var(--mantine-color-default-border)', listStyle: 'none' }}
      onMouseEnter={() => {
        onSelect(index);
        onIntent(ticket.id);
      }}
      data-selected={selected || undefined}
    >
      <Group gap="sm" wrap="nowrap" align="center">
        <PriorityMark priority={ticket.priority} />
        <UnstyledButton
          component={Link}
          to={`/tickets/${ticket.id}`}
          style={{ flex: 1, minWidth: 0 }}
          aria-current={selected ? 'true' : undefined}
          onFocus={() => onIntent(ticket.id)}
        >
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
            <HoverTooltip label={`${t.queue.columns.assignee}: ${assignee}`}>
              <Avatar size="sm" radius="xl" color={ticket.assigneeId ? 'indigo' : 'gray'} aria-label={`${t.queue.columns.assignee}: ${assignee}`}>
                {ticket.assigneeId ? initials(assignee) : '–'}
              </Avatar>
            </HoverTooltip>
          </Box>
        ) : null}
        {staff ? (
          <Box visibleFrom="sm" w={150} style={{ flexShrink: 0 }}>
            <SlaBadge ticket={ticket} now={now} />
          </Box>
        ) : null}
        <HoverTooltip label={() => formatDateTime(ticket.updatedAt)}>
          <Text size="xs" c="dimmed" w={70} ta="right" style={{ flexShrink: 0 }} visibleFrom="xs">
            {formatRelative(ticket.updatedAt, now)}
          </Text>
        </HoverTooltip>
      </Group>
    </Box>
  );
});
