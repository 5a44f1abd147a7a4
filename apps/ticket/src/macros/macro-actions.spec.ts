import { describe, expect, it } from 'vitest';
import { checkedFieldActions, parseMacroActions, ticketChangesOf } from './macro-actions.js';
import { checkedTemplate, renderTemplate } from './template.js';

const values = { 'ticket.number': '42', 'ticket.subject': 'Printer', 'requester.name': 'Rob <img src=x onerror=alert(1)> & "Co"', 'agent.name': 'Alex' };

describe('macro actions and templates', () => {
  it('applies set, then added, then removed tags, whatever their order in the macro', () => {
    const actions = parseMacroActions([
      { type: 'removeTags', value: ['old'] },
      { type: 'addTags', value: ['New', 'old'] },
      { type: 'set', field: 'status', value: 'solved' },
    ]);
    expect(ticketChangesOf(actions, ['old', 'kept'])).toEqual({ status: 'solved', tags: ['kept', 'new'] });
    expect(ticketChangesOf(parseMacroActions([{ type: 'set', field: 'tags', value: ['a'] }, { type: 'addTags', value: ['b'] }]), ['x'])).toEqual({ tags: ['a', 'b'] });
  });

  it('sets custom fields through `fields` of the ticket changes, checked and stored by the field type', () => {
    const definitions = [
      { key: 'seats', label: 'Seats', type: 'number' as const, options: [], active: true, requiredToSolve: false },
      { key: 'areas', label: 'Areas', type: 'multiselect' as const, options: ['billing', 'shipping'], active: true, requiredToSolve: false },
      { key: 'gone', label: 'Gone', type: 'text' as const, options: [], active: false, requiredToSolve: false },
    ];
    const actions = checkedFieldActions(
      parseMacroActions([
        { type: 'set', field: 'priority', value: 'high' },
        { type: 'set', field: 'fields.areas', value: ['shipping', 'billing', 'shipping'] },
        { type: 'set', field: 'fields.seats', value: null },
      ]),
      definitions,
    );
    expect(actions[1]).toEqual({ type: 'set', field: 'fields.areas', value: ['billing', 'shipping'] });
    expect(ticketChangesOf(actions, [])).toEqual({ priority: 'high', fields: { areas: ['billing', 'shipping'], seats: null } });
    expect(() => checkedFieldActions(parseMacroActions([{ type: 'set', field: 'fields.seats', value: '3' }]), definitions)).toThrow('actions[0]: fields.seats must be a number');
    expect(() => checkedFieldActions(parseMacroActions([{ type: 'set', field: 'fields.gone', value: 'x' }]), definitions)).toThrow('actions[0]: fields.gone is archived');
    expect(() => checkedFieldActions(parseMacroActions([{ type: 'set', field: 'fields.nope', value: 'x' }]), definitions)).toThrow('actions[0]: fields.nope is not a custom field of this organization');
    expect(() => parseMacroActions([{ type: 'set', field: 'fields.', value: 'x' }])).toThrow('actions[0]: fields. is not a custom field key');
  });

  it('refuses a macro that would leave a ticket with more than 20 tags', () => {
    const actions = parseMacroActions([{ type: 'addTags', value: ['one-more'] }]);
    const full = Array.from({ length: 20 }, (_, index) => `tag-${index}`);
    expect(() => ticketChangesOf(actions, full)).toThrow(/would leave the ticket with 21 tags/);
  });

  it('escapes placeholder values and keeps the template sanitized', () => {
    const template = checkedTemplate('<p onclick="x()">Hi {{ requester.name }}, #{{ticket.number}}</p><script>bad()</script>', 'body');
    expect(template).toBe('<p>Hi {{ requester.name }}, #{{ticket.number}}</p>');
    expect(renderTemplate(template, values)).toBe('<p>Hi Rob &lt;img src=x onerror=alert(1)&gt; &amp; "Co", #42</p>');
    expect(renderTemplate('<a href="https://example.test/{{ticket.number}}">link</a>', values)).toContain('href="https://example.test/42"');
  });

  it('refuses unknown placeholders and templates without text', () => {
    expect(() => checkedTemplate('<p>{{ticket.number}} {{ticket.secret}} {{ Agent.name }}</p>', 'body')).toThrow('body uses unknown placeholders {{ticket.secret}}, {{Agent.name}}');
    expect(() => checkedTemplate('<p><script>x</script></p>', 'body')).toThrow('body must contain text');
  });
});
