import { describe, expect, it } from 'vitest';
import { deliveryStalled } from './event-fanout.service.js';

describe('the fan-out consumer stall check', () => {
  it('calls a consumer stalled when events waited at two checks and none was delivered between them', () => {
    expect(deliveryStalled({ delivered: 40, waiting: true }, { delivered: 40, waiting: true })).toBe(true);
  });

  it('does not recreate a consumer that delivered since the last check, however far behind it is', () => {
    expect(deliveryStalled({ delivered: 40, waiting: true }, { delivered: 41, waiting: true })).toBe(false);
  });

  it('leaves an idle consumer alone when nothing waits, or when events only just arrived', () => {
    expect(deliveryStalled({ delivered: 40, waiting: false }, { delivered: 40, waiting: false })).toBe(false);
    expect(deliveryStalled({ delivered: 40, waiting: false }, { delivered: 40, waiting: true })).toBe(false);
    expect(deliveryStalled({ delivered: 40, waiting: true }, { delivered: 40, waiting: false })).toBe(false);
  });
});
