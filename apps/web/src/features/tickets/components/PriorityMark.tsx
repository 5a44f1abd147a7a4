import { Box } from '@mantine/core';
import type { TicketPriority } from '@helpdesk/contracts';
import { HoverTooltip } from '../../../app/HoverTooltip';
import { t } from '../../../i18n';

const COLORS: Record<TicketPriority, string> = { low: 'gray.4', normal: 'blue.5', high: 'orange.6', urgent: 'red.7' };

/** A coloured bar with the priority as its accessible name. */
export function PriorityMark({ priority }: { priority: TicketPriority }) {
  return (
    <HoverTooltip label={t.priority[priority]}>
      <Box role="img" aria-label={`${t.ticket.priority}: ${t.priority[priority]}`} w={4} h={32} bg={COLORS[priority]} style={{ borderRadius: 2, flexShrink: 0 }} />
    </HoverTooltip>
  );
}
