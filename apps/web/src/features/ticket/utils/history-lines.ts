import type { TicketHistoryEntry } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { formatDateTime } from '../../../lib/format';

/** One readable line of a history entry; `ticket` is the number of another ticket the text names as `#<number>`. */
export interface HistoryLine {
  key: string;
  text: string;
  ticket?: number;
}

export interface HistoryNaming {
  nameOf(userId: string): string;
  teamName(teamId: string): string;
  fieldLabel(key: string): string;
}

type LinkKind = keyof typeof t.history.linked;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A recorded scalar as short text: times in the local format, lists joined, ticks as yes or no. */
function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.map(show).join(', ') || '—';
  if (typeof value === 'string') return ISO_TIME.test(value) ? formatDateTime(value) : value;
  if (typeof value === 'boolean') return value ? t.macros.ticked : t.macros.unticked;
  // A macro's or a person's reference names it; anything else unforeseen stays short.
  if (isRecord(value) && typeof value.name === 'string') return value.name;
  if (isRecord(value)) {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  }
  return String(value);
}

function linkKind(value: unknown): LinkKind | undefined {
  return typeof value === 'string' && value in t.history.linked ? (value as LinkKind) : undefined;
}

/**
 * The lines a history entry reads as: merges and links name the other ticket, comments and
 * attachments say what was added, people are named, and field changes read "Field: before → after".
 */
export function historyLines(entry: Pick<TicketHistoryEntry, 'action' | 'changes'>, naming: HistoryNaming): HistoryLine[] {
  const lines: HistoryLine[] = [];
  for (const [key, change] of Object.entries(entry.changes)) {
    const { from, to } = change;
    const line = (text: string, ticket?: number) => lines.push(ticket === undefined ? { key, text } : { key, text, ticket });
    if (key === 'mergedInto' && typeof to === 'number') line(t.history.mergedInto(to), to);
    else if (key === 'mergedFrom' && typeof to === 'number') line(t.history.mergedFrom(to), to);
    else if (entry.action === 'merged' && key === 'comments' && typeof to === 'number') line(t.history.movedComments(to));
    else if (entry.action === 'merged' && key === 'attachments' && typeof to === 'number') line(t.history.movedAttachments(to));
    else if (entry.action === 'merged' && key === 'participants' && Array.isArray(to)) line(t.history.copiedFromMerge(to.join(', ')));
    else if (key === 'links' && (isRecord(to) || isRecord(from))) {
      const link = (isRecord(to) ? to : from) as Record<string, unknown>;
      const kind = linkKind(link.kind);
      const number = typeof link.ticket === 'number' ? link.ticket : undefined;
      if (kind && number !== undefined) line(isRecord(to) ? t.history.linked[kind](number) : t.history.unlinked[kind](number), number);
      else line(t.ticket.changed(key, show(from), show(to)));
    } else if (key === 'comment' && isRecord(to)) line(to.internal === true ? t.history.internalNote : t.history.publicReply);
    else if (key === 'attachment' && isRecord(to) && typeof to.filename === 'string') line(to.internal === true ? t.history.attachedInternal(to.filename) : t.history.attached(to.filename));
    else if (key === 'macro' && isRecord(to) && typeof to.name === 'string') line(t.history.macro(to.name));
    else if (key === 'satisfaction' && isRecord(to) && typeof to.rating === 'string') line(t.history.satisfactionRated((t.satisfaction.rating[to.rating] ?? to.rating).toLowerCase(), typeof to.comment === 'string' ? to.comment : ''));
    else if (key === 'participants' && (typeof to === 'string' || typeof from === 'string')) line(typeof to === 'string' ? t.history.participantAdded(to) : t.history.participantRemoved(from as string));
    else if (key === 'followers' && (typeof to === 'string' || typeof from === 'string')) line(typeof to === 'string' ? t.history.followerAdded(to) : t.history.followerRemoved(from as string));
    else if (entry.action.startsWith('sla.') && t.history.slaMarks[key]) line(t.history.sla(t.history.slaMarks[key]!, show(to)));
    else if (key === 'assignment' && typeof to === 'string') line(t.history.assignedByRule(to in t.assignment.rules ? t.assignment.rules[to as keyof typeof t.assignment.rules] : to));
    else if (key === 'assigneeId') line(t.ticket.changed(t.history.fields.assigneeId!, typeof from === 'string' ? naming.nameOf(from) : show(from), typeof to === 'string' ? naming.nameOf(to) : show(to)));
    else if (key === 'teamId') line(t.ticket.changed(t.history.fields.teamId!, typeof from === 'string' ? naming.teamName(from) : show(from), typeof to === 'string' ? naming.teamName(to) : show(to)));
    else if (key === 'status') line(t.ticket.changed(t.history.fields.status!, typeof from === 'string' && from in t.status ? t.status[from as keyof typeof t.status] : show(from), typeof to === 'string' && to in t.status ? t.status[to as keyof typeof t.status] : show(to)));
    else if (key === 'priority' || key === 'requestedPriority') {
      const label = (value: unknown) => (typeof value === 'string' && value in t.priority ? t.priority[value as keyof typeof t.priority] : show(value));
      line(t.ticket.changed(t.history.fields[key]!, label(from), label(to)));
    } else if (key.startsWith('fields.')) line(t.ticket.changed(naming.fieldLabel(key.slice('fields.'.length)), show(from), show(to)));
    else line(t.ticket.changed(t.history.fields[key] ?? key, show(from), show(to)));
  }
  return lines;
}

/** The entry's action as a heading word, or the recorded name when the console does not know it yet. */
export const actionLabel = (action: string): string => t.history.actions[action] ?? action;
