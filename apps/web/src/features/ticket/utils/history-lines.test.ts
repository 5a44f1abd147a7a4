import { describe, expect, it } from 'vitest';
import { historyLines } from './history-lines';

const naming = { nameOf: (id: string) => (id === 'u-alex' ? 'Alex Agent' : id), teamName: (id: string) => (id === 't-1' ? 'Billing' : id), fieldLabel: (key: string) => (key === 'plan' ? 'Plan' : key) };
const lines = (action: string, changes: Record<string, { from: unknown; to: unknown }>) => historyLines({ action, changes }, naming).map(({ text, ticket }) => (ticket === undefined ? text : `${text} [${ticket}]`));

/** Every history row shape the ticket service writes (recordHistory callers), read as text: never raw JSON. */
describe('history lines', () => {
  it("reads the customer's satisfaction rating and comment", () => {
    expect(lines('satisfaction.rated', { satisfaction: { from: null, to: { rating: 'good', comment: null } } })).toEqual(['Rated the support good']);
    expect(lines('satisfaction.rated', { satisfaction: { from: 'good', to: { rating: 'bad', comment: 'Too slow' } } })).toEqual(['Rated the support bad: "Too slow"']);
  });

  it('names the other ticket of merges and links', () => {
    expect(lines('merged', { mergedInto: { from: null, to: 123 } })).toEqual(['Merged into #123 [123]']);
    expect(lines('merged', { mergedFrom: { from: null, to: 7 }, comments: { from: null, to: 3 }, attachments: { from: null, to: 1 }, participants: { from: null, to: ['a@x.test', 'b@x.test'] } })).toEqual([
      '#7 was merged into this ticket [7]',
      'Moved 3 messages here',
      'Moved 1 attachment here',
      'Copied from the merged ticket: a@x.test, b@x.test',
    ]);
    expect(lines('link.added', { links: { from: null, to: { kind: 'child', ticket: 45 } } })).toEqual(['Linked as parent of #45 [45]']);
    expect(lines('link.added', { links: { from: null, to: { kind: 'parent', ticket: 9 } } })).toEqual(['Linked as child of #9 [9]']);
    expect(lines('link.removed', { links: { from: { kind: 'related', ticket: 12 }, to: null } })).toEqual(['No longer related to #12 [12]']);
  });

  it("names the team's rule that assigned the ticket, at creation or later", () => {
    expect(lines('created', { status: { from: null, to: 'new' }, assigneeId: { from: null, to: 'u-alex' }, assignment: { from: null, to: 'round_robin' } })).toEqual([
      'Status: — → New',
      'Assignee: — → Alex Agent',
      "Assigned by the team's rule: Round robin",
    ]);
    expect(lines('updated', { assignment: { from: null, to: 'load_balanced' } })).toEqual(["Assigned by the team's rule: Load balanced"]);
  });

  it('says what comments, attachments, macros, people and SLA marks did', () => {
    expect(lines('commented', { comment: { from: null, to: { id: 'c', internal: false } }, status: { from: 'new', to: 'open' } })).toEqual(['Added a public reply', 'Status: New → Open']);
    expect(lines('commented', { comment: { from: null, to: { id: 'c', internal: true } } })).toEqual(['Added an internal note']);
    expect(lines('attachment.added', { attachment: { from: null, to: { id: 'a', filename: 'invoice.pdf', commentId: null, internal: false } } })).toEqual(['Attached invoice.pdf']);
    expect(lines('macro.applied', { macro: { from: null, to: { id: 'm', name: 'Escalate' } }, assigneeId: { from: null, to: 'u-alex' }, teamId: { from: 't-1', to: null }, 'fields.plan': { from: null, to: 'Gold' } })).toEqual([
      'Applied the macro Escalate',
      'Assignee: — → Alex Agent',
      'Team: Billing → —',
      'Plan: — → Gold',
    ]);
    expect(lines('participant.added', { participants: { from: null, to: 'cc@x.test' } })).toEqual(['Copied cc@x.test']);
    expect(lines('participant.removed', { participants: { from: 'cc@x.test', to: null } })).toEqual(['No longer copied: cc@x.test']);
    expect(lines('follower.added', { followers: { from: null, to: 'Alex Agent' } })).toEqual(['Alex Agent follows the ticket']);
    expect(lines('follower.removed', { followers: { from: 'Alex Agent', to: null } })).toEqual(['Alex Agent no longer follows the ticket']);
    expect(lines('sla.breached', { resolution_breached_at: { from: null, to: '2026-12-04T10:00:00.000Z' } })[0]).toMatch(/^Resolution breached at /);
    expect(lines('updated', { priority: { from: 'normal', to: 'urgent' }, tags: { from: [], to: ['vip', 'billing'] } })).toEqual(['Priority: Normal → Urgent', 'Tags: — → vip, billing']);
  });
});
