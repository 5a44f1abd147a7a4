import type { RuleAction, RuleCondition, TicketFieldView } from '@helpdesk/contracts';
// The modules themselves, not the package: its index brings the NATS commands' decorated classes, which this DOM project does not compile.
import { CUSTOM_FIELD_CONDITION_OPERATORS, RULE_CONDITION_FIELD_OPERATORS } from '../../../../../../libs/contracts/src/rule-conditions';
import { TICKET_CHANNELS } from '../../../../../../libs/contracts/src/tickets';
import { TRIGGER_EVENTS as CONTRACT_TRIGGER_EVENTS } from '../../../../../../libs/contracts/src/triggers';
import { describe, expect, it } from 'vitest';
import { CHANNELS, CONDITION_OPERATORS, conditionOf, CUSTOM_FIELD_OPERATORS, newConditionRow, operatorsOf, rowOfCondition, ruleActionOf, ruleActionRowOf, TRIGGER_EVENTS } from './rule-rows';

const seats = { key: 'seats', label: 'Seats', type: 'number', options: [], active: true } as unknown as TicketFieldView;
const vip = { key: 'vip', label: 'VIP', type: 'checkbox', options: [], active: true } as unknown as TicketFieldView;
const plan = { key: 'plan', label: 'Plan', type: 'dropdown', options: ['Free', 'Gold'], active: true } as unknown as TicketFieldView;

describe('rule builder rows', () => {
  it('offers exactly the fields, operators, events and channels of the contracts', () => {
    expect(CONDITION_OPERATORS).toEqual(RULE_CONDITION_FIELD_OPERATORS);
    expect(CUSTOM_FIELD_OPERATORS).toEqual(CUSTOM_FIELD_CONDITION_OPERATORS);
    expect(TRIGGER_EVENTS).toEqual(CONTRACT_TRIGGER_EVENTS);
    expect(CHANNELS).toEqual(TICKET_CHANNELS);
  });

  it('turns field conditions (a trigger\'s) into rows and back', () => {
    const conditions: RuleCondition[] = [
      { field: 'status', op: 'in', value: ['open', 'pending'] },
      { field: 'teamId', op: 'is', value: null },
      { field: 'subject', op: 'contains', value: 'refund' },
      { field: 'fields.plan', op: 'is', value: 'Gold' },
      { field: 'fields.seats', op: 'gt', value: 10 },
      { field: 'fields.vip', op: 'is', value: true },
    ];
    expect(conditions.map(rowOfCondition).map((row) => conditionOf(row, [seats, vip, plan]))).toEqual(conditions);
  });

  it('turns time conditions (an automation\'s) into rows and back, with business hours', () => {
    const conditions: RuleCondition[] = [
      { field: 'hoursSince.created', op: 'gt', value: 4, businessHours: true },
      { field: 'hoursSince.solved', op: 'lt', value: 4.5, businessHours: false },
    ];
    expect(conditions.map(rowOfCondition).map((row) => conditionOf(row, []))).toEqual(conditions);
  });

  it('types the values of builder rows as the server expects them', () => {
    expect(conditionOf({ ...newConditionRow('hoursSince.pending'), hours: '72', businessHours: true }, [])).toEqual({ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: true });
    expect(conditionOf({ ...newConditionRow('assigneeId'), value: '' }, [])).toEqual({ field: 'assigneeId', op: 'is', value: null });
    expect(conditionOf({ ...newConditionRow('fields.seats', [seats]), value: '10' }, [seats])).toEqual({ field: 'fields.seats', op: 'is', value: 10 });
    expect(conditionOf({ ...newConditionRow('fields.vip', [vip]), value: 'true' }, [vip])).toEqual({ field: 'fields.vip', op: 'is', value: true });
  });

  it('starts a new row on its field\'s first operator and a valid value', () => {
    expect(conditionOf(newConditionRow('priority'), [])).toEqual({ field: 'priority', op: 'is', value: 'normal' });
    expect(conditionOf(newConditionRow('hoursSince.pending'), [])).toEqual({ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: false });
    expect(conditionOf(newConditionRow('fields.seats', [seats]), [seats])).toMatchObject({ field: 'fields.seats', op: 'is' });
  });

  it('offers each field its own operators, custom fields by type', () => {
    expect(operatorsOf('hoursSince.created', [])).toEqual(['gt', 'lt']);
    expect(operatorsOf('fields.seats', [seats])).toEqual(['is', 'isNot', 'gt', 'lt']);
    expect(operatorsOf('fields.plan', [plan])).toEqual(['is', 'isNot', 'in']);
  });

  it('turns action rows into the API\'s actions and back: macro actions, custom fields, notify to a named recipient or an address, and a webhook', () => {
    const actions: RuleAction[] = [
      { type: 'addTags', value: ['billing'] },
      { type: 'set', field: 'priority', value: 'high' },
      { type: 'set', field: 'fields.plan', value: 'Gold' },
      { type: 'set', field: 'fields.seats', value: 12 },
      { type: 'comment', body: '<p>Routed</p>', internal: true },
      { type: 'notify', to: 'team', subject: 'New refund', body: '<p>#{{ticket.number}}</p>' },
      { type: 'notify', to: 'oncall@example.com', subject: 'Refund', body: 'See it' },
      { type: 'webhook', webhookId: '0190f2a4-0000-7000-8000-000000000000' },
    ];
    expect(actions.map((action) => ruleActionRowOf(action, [plan, seats])).map((row) => ruleActionOf(row, [plan, seats]))).toEqual(actions);
    expect(ruleActionRowOf(actions[2]!, [plan])).toMatchObject({ kind: 'field', fieldKey: 'plan', fieldValue: 'Gold' });
    expect(ruleActionRowOf(actions[6]!)).toMatchObject({ kind: 'notify', to: 'address', address: 'oncall@example.com' });
    expect(ruleActionRowOf(actions[7]!)).toMatchObject({ kind: 'webhook', webhookId: '0190f2a4-0000-7000-8000-000000000000' });
  });
});
