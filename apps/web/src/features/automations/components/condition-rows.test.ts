import type { TicketFieldView } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { conditionOf, newConditionRow, operatorsOf, rowOfCondition } from './condition-rows';

const seats = { key: 'seats', label: 'Seats', type: 'number', options: [], active: true } as unknown as TicketFieldView;
const vip = { key: 'vip', label: 'VIP', type: 'checkbox', options: [], active: true } as unknown as TicketFieldView;

describe('condition rows', () => {
  it('turns builder rows into the conditions the server expects, typed per field', () => {
    expect(conditionOf({ ...newConditionRow('hoursSince.pending'), hours: '72', businessHours: true }, [])).toEqual({ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: true });
    expect(conditionOf({ ...newConditionRow('assigneeId'), value: '' }, [])).toEqual({ field: 'assigneeId', op: 'is', value: null });
    expect(conditionOf({ ...newConditionRow('status'), op: 'in', values: ['open', 'pending'] }, [])).toEqual({ field: 'status', op: 'in', value: ['open', 'pending'] });
    expect(conditionOf({ ...newConditionRow('fields.seats'), op: 'gt', value: '10' }, [seats])).toEqual({ field: 'fields.seats', op: 'gt', value: 10 });
    expect(conditionOf({ ...newConditionRow('fields.vip'), value: 'true' }, [vip])).toEqual({ field: 'fields.vip', op: 'is', value: true });
  });

  it('reads a saved condition back into a row that gives the same condition', () => {
    const condition = { field: 'hoursSince.solved' as const, op: 'lt' as const, value: 4.5, businessHours: false };
    expect(conditionOf(rowOfCondition(condition), [])).toEqual(condition);
  });

  it('offers each field its own operators, custom fields by type', () => {
    expect(operatorsOf('hoursSince.created', [])).toEqual(['gt', 'lt']);
    expect(operatorsOf('fields.seats', [seats])).toEqual(['is', 'isNot', 'gt', 'lt']);
  });
});
