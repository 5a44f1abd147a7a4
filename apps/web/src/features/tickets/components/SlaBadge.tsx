import { Badge } from '@mantine/core';
import type { TicketView } from '@helpdesk/contracts';
import { HoverTooltip } from '../../../app/HoverTooltip';
import { t } from '../../../i18n';
import { formatDateTime, formatDuration } from '../../../lib/format';

/** Within this much time of the due time, the badge warns. */
const WARNING_MS = 60 * 60_000;

export type SlaState = { kind: 'none' } | { kind: 'met' } | { kind: 'breached'; dueAt?: string } | { kind: 'running'; dueAt: string; leftMs: number; warning: boolean };

/** The clock that matters now: the earliest unmet target of an unfinished ticket. */
export function slaState(ticket: Pick<TicketView, 'status' | 'breaches' | 'firstResponseDueAt' | 'firstRespondedAt' | 'nextResponseDueAt' | 'resolutionDueAt'>, now: number): SlaState {
  if (ticket.status === 'solved' || ticket.status === 'closed') return Object.keys(ticket.breaches).length ? { kind: 'breached' } : { kind: 'met' };
  const dues = [ticket.firstRespondedAt ? null : ticket.firstResponseDueAt, ticket.nextResponseDueAt, ticket.resolutionDueAt].filter((due): due is string => Boolean(due));
  const next = dues.sort()[0];
  if (Object.keys(ticket.breaches).length) return { kind: 'breached', dueAt: next };
  if (!next) return { kind: 'none' };
  const leftMs = Date.parse(next) - now;
  if (leftMs <= 0) return { kind: 'breached', dueAt: next };
  return { kind: 'running', dueAt: next, leftMs, warning: leftMs <= WARNING_MS };
}

export function SlaBadge({ ticket, now }: { ticket: Parameters<typeof slaState>[0]; now: number }) {
  const state = slaState(ticket, now);
  if (state.kind === 'none') return <Badge variant="outline" color="gray" size="sm">{t.sla.none}</Badge>;
  if (state.kind === 'met') return <Badge color="gray" size="sm">{t.sla.done}</Badge>;
  if (state.kind === 'breached') {
    const label = state.dueAt && Date.parse(state.dueAt) < now ? t.sla.overdue(formatDuration(now - Date.parse(state.dueAt))) : t.sla.breached;
    return <Badge color="red" size="sm">{label}</Badge>;
  }
  return (
    <HoverTooltip label={() => formatDateTime(state.dueAt)}>
      <Badge color={state.warning ? 'yellow' : 'teal'} size="sm">
        {t.sla.dueIn(formatDuration(state.leftMs))}
      </Badge>
    </HoverTooltip>
  );
}
