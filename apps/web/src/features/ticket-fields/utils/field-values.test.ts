import type { TicketFieldView } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { changedFieldValues, inputValueOf } from './field-values';

const field = (key: string, type: TicketFieldView['type'], options: string[] = []): TicketFieldView => ({
  id: key,
  key,
  label: key,
  type,
  options,
  requiredToSolve: false,
  active: true,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
});

const fields = [field('area', 'dropdown', ['a', 'b']), field('labels', 'multiselect', ['x', 'y']), field('amount', 'number'), field('due', 'date'), field('vip', 'checkbox'), field('ref', 'text')];

describe('custom field inputs', () => {
  it('shows unset values as empty inputs of the right kind', () => {
    expect(fields.map((definition) => inputValueOf(definition, undefined))).toEqual([null, [], '', null, false, '']);
  });

  it('sends only what changed, clearing emptied inputs with null, and nothing for an untouched unticked box', () => {
    const current = { area: 'a', labels: ['x'], amount: 3, ref: 'R-1' };
    const inputs = { area: 'b', labels: [], amount: 3, due: '2026-12-24', vip: false, ref: '  ' };
    expect(changedFieldValues(fields, current, inputs)).toEqual({ area: 'b', labels: null, due: '2026-12-24', ref: null });
    expect(changedFieldValues(fields, { vip: true }, { vip: false })).toEqual({ vip: false });
    expect(changedFieldValues(fields, current, Object.fromEntries(fields.map((definition) => [definition.key, inputValueOf(definition, current[definition.key as keyof typeof current])])))).toEqual({});
  });
});
