import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../../../test/fixtures/mail/', import.meta.url);

/** A raw sample message from test/fixtures/mail/. */
export function mailFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/**
 * The message with these headers set: an existing header (its first occurrence, folded lines
 * included) is replaced, a new one is added at the top; `null` removes the header.
 */
export function withHeaders(raw: string, headers: Record<string, string | null>): string {
  const newline = raw.includes('\r\n') ? '\r\n' : '\n';
  const split = raw.indexOf(`${newline}${newline}`);
  const head = raw.slice(0, split);
  const body = raw.slice(split);
  const lines: string[] = [];
  for (const line of head.split(newline)) {
    if (/^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += `${newline}${line}`;
    else lines.push(line);
  }
  const added: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const index = lines.findIndex((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    if (value === null) {
      if (index >= 0) lines.splice(index, 1);
    } else if (index >= 0) lines[index] = `${name}: ${value}`;
    else added.push(`${name}: ${value}`);
  }
  return [...added, ...lines].join(newline) + body;
}
