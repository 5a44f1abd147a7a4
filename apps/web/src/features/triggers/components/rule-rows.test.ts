import { describe, expect, it } from 'vitest';
import type { RuleAction, RuleCondition } from '@helpdesk/contracts';
import { actionRowOf, conditionOf, conditionRowOf, newCondition, ruleActionOf } from './rule-rows';

describe('trigger builder rows', () => {
  it('turns condition rows into the API\'s conditions and back', () => {
    const conditions: RuleCondition[] = [
      { field: 'status', op: 'in', value: ['open', 'pending'] },
      { field: 'teamId', op: 'is', value: null },
      { field: 'subject', op: 'contains', value: 'refund' },
      { field: 'hoursSince.created', op: 'gt', value: 4, businessHours: true },
    ];
    expect(conditions.map(conditionRowOf).map(conditionOf)).toEqual(conditions);
    // A new row starts with its field's first operator and a sensible value.
    expect(conditionOf(newCondition('priority'))).toEqual({ field: 'priority', op: 'is', value: 'normal' });
    expect(conditionOf(newCondition('hoursSince.pending'))).toEqual({ field: 'hoursSince.pending', op: 'gt', value: 24, businessHours: false });
  });

  it('turns action rows into the API\'s actions and back, notify to a named recipient or an address', () => {
    const actions: RuleAction[] = [
      { type: 'addTags', value: ['billing'] },
      { type: 'set', field: 'priority', value: 'high' },
      { type: 'comment', body: '<p>Routed</p>', internal: true },
      { type: 'notify', to: 'team', subject: 'New refund', body: '<p>#{{ticket.number}}</p>' },
      { type: 'notify', to: 'oncall@example.com', subject: 'Refund', body: 'See it' },
    ];
    expect(actions.map(actionRowOf).map(ruleActionOf)).toEqual(actions);
    expect(actionRowOf(actions[4]!)).toMatchObject({ kind: 'notify', to: 'address', address: 'oncall@example.com' });
  });
});
