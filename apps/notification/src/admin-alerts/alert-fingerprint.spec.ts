import { describe, expect, it } from 'vitest';
import { alertFingerprint } from './alert-fingerprint.js';

describe('admin alert fingerprint', () => {
  const alert = (message: string, service = 'notification', context = 'MailQueue') => ({ service, context, message });

  it('treats occurrences that differ only in ids, numbers and addresses as the same error', () => {
    expect(alertFingerprint(alert('mail ticket-created to a@x.test given up after 4 attempt(s), delivery 0193d6a0-6f7e-7c1a-9a8e-3c0b6f1f2a44'))).toBe(
      alertFingerprint(alert('mail ticket-created to b@y.test given up after 1 attempt(s), delivery 11111111-2222-7333-8444-555555555555')),
    );
  });

  it('tells different errors, services and contexts apart', () => {
    const base = alertFingerprint(alert('disk full'));
    expect(alertFingerprint(alert('disk failing'))).not.toBe(base);
    expect(alertFingerprint(alert('disk full', 'ticket'))).not.toBe(base);
    expect(alertFingerprint(alert('disk full', 'notification', 'EventConsumer'))).not.toBe(base);
  });
});
