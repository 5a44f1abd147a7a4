import { v4, v7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { eventIdTime } from './event-id-time.js';

describe('eventIdTime', () => {
  it('reads the millisecond time a UUIDv7 was generated at', () => {
    const at = Date.parse('2026-11-29T09:14:03.120Z');
    expect(eventIdTime(v7({ msecs: at }))).toBe(at);
  });

  it.each([['a UUIDv4', v4()], ['a non-UUID', 'not-an-id'], ['a number', 42], ['nothing', undefined]])('refuses %s', (_, id) => {
    expect(eventIdTime(id)).toBeUndefined();
  });
});
