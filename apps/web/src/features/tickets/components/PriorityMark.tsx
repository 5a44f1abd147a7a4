import type { TicketPriority } from '@helpdesk/contracts';
import { HoverTooltip } from '../../../app/HoverTooltip';
import { t } from '../../../i18n';
import classes from './TicketRow.module.css';

const COLORS: Record<TicketPriority, string> = {
  low: 'var(--mantine-color-gray-4)',
  normal: 'var(--mantine-color-blue-5)',
  high: 'var(--mantine-color-orange-6)',
  urgent: 'var(--mantine-color-red-7)',
};

/** A coloured bar with the priority as its accessible name. */
export function PriorityMark({ priority }: { priority: TicketPriority }) {
  return (
    <HoverTooltip label={t.priority[priority]}>
      <div role="img" aria-label={`${t.ticket.priority}: ${t.priority[priority]}`} className={classes.priority} style={{ background: COLORS[priority] }} />
    </HoverTooltip>
  );
}
