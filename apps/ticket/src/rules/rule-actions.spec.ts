import { CommandError } from '@helpdesk/common';
import { describe, expect, it } from 'vitest';
import { parseRuleActions } from './rule-actions.js';

function failure(raw: unknown): CommandError {
  try {
    parseRuleActions(raw);
  } catch (error) {
    if (error instanceof CommandError) return error;
    throw error;
  }
  throw new Error('parseRuleActions accepted the actions');
}

describe('rule actions', () => {
  it('keeps macro actions and notifications in their order, normalized', () => {
    const actions = parseRuleActions([
      { type: 'notify', to: 'Boss@Example.COM', subject: 'Urgent: {{ticket.subject}}', body: '<p>See #{{ticket.number}}</p><script>x()</script>' },
      { type: 'set', field: 'priority', value: 'urgent' },
      { type: 'addTags', value: ['VIP'] },
      { type: 'notify', to: 'team', subject: 'Heads up', body: 'Ticket {{ticket.number}}' },
    ]);
    expect(actions).toEqual([
      { type: 'notify', to: 'boss@example.com', subject: 'Urgent: {{ticket.subject}}', body: '<p>See #{{ticket.number}}</p>' },
      { type: 'set', field: 'priority', value: 'urgent' },
      { type: 'addTags', value: ['vip'] },
      { type: 'notify', to: 'team', subject: 'Heads up', body: 'Ticket {{ticket.number}}' },
    ]);
  });

  it('names the action at fault by its index in the whole list', () => {
    expect(failure([{ type: 'notify', to: 'team', subject: 'x', body: 'y' }, { type: 'set', field: 'status', value: 'sleeping' }]).message).toBe('actions[1]: status must be one of new, open, pending, on_hold, solved, closed');
    expect(failure([{ type: 'notify', to: 'nobody', subject: 'x', body: 'y' }]).message).toBe('actions[0]: to must be one of assignee, team, requester, or an email address');
    expect(failure([{ type: 'notify', to: 'team', subject: 'Hi {{ticket.owner}}', body: 'y' }]).message).toMatch(/^actions\[0\]\.subject uses unknown placeholder \{\{ticket\.owner\}\}/);
    expect(failure([{ type: 'notify', to: 'team', subject: 'x', body: 'y', cc: 'a@b.c' }]).message).toBe('actions[0]: unknown property cc for a notify action');
    expect(failure([{ type: 'shout' }]).message).toBe('actions[0]: type must be one of set, addTags, removeTags, comment, notify, webhook');
    expect(failure([{ type: 'notify', to: 'team', subject: 'x', body: 'y' }, { type: 'set', field: 'status', value: 'open' }, { type: 'set', field: 'status', value: 'solved' }]).message).toBe('actions[2]: status is already set by an earlier action');
    expect(failure([{ type: 'comment', body: 'a' }, { type: 'notify', to: 'team', subject: 'x', body: 'y' }, { type: 'comment', body: 'b' }]).message).toBe('actions[2]: a rule adds at most one comment');
    expect(failure([]).message).toBe('actions must be a list of 1 to 20 actions');
    expect(failure(Array.from({ length: 6 }, () => ({ type: 'notify', to: 'team', subject: 'x', body: 'y' }))).message).toBe('actions[5]: a rule sends at most 5 notifications');
  });

  it('keeps webhook actions (id in lower case) and refuses malformed, repeated or too many ones, naming the action', () => {
    const webhookId = '0190F2A4-0000-7000-8000-000000000000';
    expect(parseRuleActions([{ type: 'addTags', value: ['x'] }, { type: 'webhook', webhookId }])).toEqual([{ type: 'addTags', value: ['x'] }, { type: 'webhook', webhookId: webhookId.toLowerCase() }]);
    expect(failure([{ type: 'webhook', webhookId: 'hook-1' }]).message).toBe("actions[0]: webhookId must be the id (a UUID) of one of the organization's webhooks");
    expect(failure([{ type: 'webhook', webhookId, url: 'https://example.com' }]).message).toBe('actions[0]: unknown property url for a webhook action');
    expect(failure([{ type: 'webhook', webhookId }, { type: 'webhook', webhookId: webhookId.toLowerCase() }]).message).toBe(`actions[1]: webhook ${webhookId.toLowerCase()} is named twice; a rule sends to a webhook once`);
    const six = Array.from({ length: 6 }, (_, index) => ({ type: 'webhook', webhookId: `0190f2a4-0000-7000-8000-00000000000${index}` }));
    expect(failure(six).message).toBe('actions[5]: a rule sends to at most 5 webhooks');
  });
});
