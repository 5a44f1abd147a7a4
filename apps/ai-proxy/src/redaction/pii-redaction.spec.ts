import { describe, expect, it } from 'vitest';
import { redactPii } from './pii-redaction.js';

describe('redactPii', () => {
  it.each([
    ['an email address', 'Write to jane.doe+help@example.co.uk please', 'Write to [EMAIL] please', 'EMAIL'],
    ['an international phone number', 'Call me on +49 30 1234 5678 tomorrow', 'Call me on [PHONE] tomorrow', 'PHONE'],
    ['a national phone number', 'my number is (555) 123-4567.', 'my number is [PHONE].', 'PHONE'],
    ['a card number that passes the Luhn check', 'card 4111 1111 1111 1111 was charged', 'card [CARD] was charged', 'CARD'],
    ['an IBAN with a valid checksum', 'IBAN DE89 3704 0044 0532 0130 00 for the refund', 'IBAN [IBAN] for the refund', 'IBAN'],
    ['a JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c here', 'token [JWT] here', 'JWT'],
    ['an API key', 'key sk-proj-abcdefghijklmnopqrstuvwx123 leaked', 'key [SECRET] leaked', 'SECRET'],
    ['a labelled password', 'login with password: hunter2!', 'login with password: [SECRET]', 'SECRET'],
    ['an AWS access key', 'AKIAIOSFODNN7EXAMPLE is ours', '[SECRET] is ours', 'SECRET'],
  ])('replaces %s', (_name, input, expected, kind) => {
    const redacted = redactPii(input);
    expect(redacted.text).toBe(expected);
    expect(redacted.counts[kind as keyof typeof redacted.counts]).toBe(1);
  });

  it.each([
    ['a password stated in a sentence', 'My password is hunter2 and it fails', 'My password is [SECRET] and it fails'],
    ['a password in the past tense', 'the old password was Tr0ub4dor&3.', 'the old password was [SECRET]'],
    ['a quoted password', 'my password is "correct horse" now', 'my password is [SECRET] now'],
    ['an abbreviated password', 'pwd: x', 'pwd: [SECRET]'],
    ['a passcode', 'passcode = 918273', 'passcode = [SECRET]'],
    ['a possessive label', 'my password: s3cret', 'my password: [SECRET]'],
    ['a passphrase', 'Passphrase is purple-monkey-dishwasher', 'Passphrase is [SECRET]'],
    ['a German password', 'Mein Passwort ist Sommer2024 und geht nicht', 'Mein Passwort ist [SECRET] und geht nicht'],
    ['a German Kennwort label', 'Kennwort: geheim', 'Kennwort: [SECRET]'],
    ['a French password', 'le mot de passe est soleil42', 'le mot de passe est [SECRET]'],
    ['a Spanish password', 'mi contraseña es gato123', 'mi contraseña es [SECRET]'],
    ['a Spanish labelled password', 'Contraseña: gato123', 'Contraseña: [SECRET]'],
  ])('replaces %s', (_name, input, expected) => {
    const redacted = redactPii(input);
    expect(redacted.text).toBe(expected);
    expect(redacted.counts).toEqual({ SECRET: 1 });
  });

  it.each([
    ['with umlauts', 'Bitte an jörg@bücher.de schreiben', 'Bitte an [EMAIL] schreiben'],
    ['in Chinese script', '请联系 用户@例子.广告 谢谢', '请联系 [EMAIL] 谢谢'],
    ['with an accented local part at the end of a sentence', 'Write to josé.garcía@correo.es.', 'Write to [EMAIL].'],
  ])('replaces an internationalized email address %s', (_name, input, expected) => {
    const redacted = redactPii(input);
    expect(redacted.text).toBe(expected);
    expect(redacted.counts).toEqual({ EMAIL: 1 });
  });

  it('keeps sentences about a password that state no password', () => {
    const text = 'My password is not working, the password was wrong and the new password is too short.';
    expect(redactPii(text)).toEqual({ text, counts: {} });
  });

  it('keeps order numbers, dates, short numbers and card-like numbers that fail the checksum', () => {
    const text = 'Order 4471 of 2024-03-15 was 12 items; reference 4111 1111 1111 1112.';
    expect(redactPii(text)).toEqual({ text, counts: {} });
  });

  it('redacts everything in a realistic ticket and counts each kind', () => {
    const redacted = redactPii('Hi, I am bob@corp.example, phone +1 415 555 0100. Refund to GB82 WEST 1234 5698 7654 32 please.');
    expect(redacted.text).toBe('Hi, I am [EMAIL], phone [PHONE]. Refund to [IBAN] please.');
    expect(redacted.counts).toEqual({ EMAIL: 1, PHONE: 1, IBAN: 1 });
  });
});
