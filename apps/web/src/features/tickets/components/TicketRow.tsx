import { Avatar, Badge } from '@mantine/core';
import type { TicketView } from '@helpdesk/contracts';
import { memo } from 'react';
import { Link } from 'react-router';
import { HoverTooltip } from '../../../app/HoverTooltip';
import { t } from '../../../i18n';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { PriorityMark } from './PriorityMark';
import { SlaBadge } from './SlaBadge';
import classes from './TicketRow.module.css';

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
  /** Staff: ticked for a bulk action. */
  checked?: boolean;
  onToggle?(ticketId: string): void;
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();

/**
 * One queue row, in plain elements with a CSS module except the badges and avatar. Memoised: with
 * stable props (the parent passes its state setter and stable callbacks), moving the selection or
 * hovering re-renders two rows instead of the whole page.
 */
export const TicketRow = memo(function TicketRow({ ticket, index, selected, staff, now, nameOf, onSelect, onIntent, checked, onToggle }: Props) {
  const assignee = staff ? nameOf(ticket.assigneeId) : '';
  return (
    <li
      className={classes.row}
      onMouseEnter={() => {
        onSelect(index);
        onIntent(ticket.id);
      }}
      data-selected={selected || undefined}
    >
      <div className={classes.line}>
        {onToggle ? (
          <input type="checkbox" className={classes.check} checked={checked ?? false} onChange={() => onToggle(ticket.id)} aria-label={t.bulk.select(ticket.number, ticket.subject)} />
        ) : null}
        <PriorityMark priority={ticket.priority} />
        <Link to={`/tickets/${ticket.id}`} className={`${classes.link} mantine-focus-auto`} aria-current={selected ? 'true' : undefined} onFocus={() => onIntent(ticket.id)}>
          <p className={classes.subject} data-new={ticket.status === 'new' || undefined}>
            <span className={classes.number}>#{ticket.number}</span>
            {ticket.subject}
          </p>
          {staff ? (
            <p className={classes.details}>
              {t.queue.requester(nameOf(ticket.requesterId))}
              {ticket.tags.length ? ` · ${ticket.tags.join(', ')}` : ''}
            </p>
          ) : null}
        </Link>
        <Badge color={STATUS_COLORS[ticket.status]} size="sm" w={80} style={{ flexShrink: 0 }}>
          {t.status[ticket.status]}
        </Badge>
        {/* Mantine's visibleFrom classes (from MantineProvider's breakpoints), without a Box per cell. */}
        {staff ? (
          <div className={`${classes.assignee} mantine-visible-from-sm`}>
            <HoverTooltip label={`${t.queue.columns.assignee}: ${assignee}`}>
              <Avatar size="sm" radius="xl" color={ticket.assigneeId ? 'indigo' : 'gray'} aria-label={`${t.queue.columns.assignee}: ${assignee}`}>
                {ticket.assigneeId ? initials(assignee) : '–'}
              </Avatar>
            </HoverTooltip>
          </div>
        ) : null}
        {staff ? (
          <div className={`${classes.sla} mantine-visible-from-sm`}>
            <SlaBadge ticket={ticket} now={now} />
          </div>
        ) : null}
        <HoverTooltip label={() => formatDateTime(ticket.updatedAt)}>
          <p className={`${classes.updated} mantine-visible-from-xs`}>{formatRelative(ticket.updatedAt, now)}</p>
        </HoverTooltip>
      </div>
    </li>
  );
});
