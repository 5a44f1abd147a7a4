import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from './webhook-signature.js';

const DOC = new URL('../../../../docs/webhooks.md', import.meta.url);
const SECRET = 'whsec-0123456789abcdef';
const OTHER_SECRET = 'whsec-fedcba9876543210';
/** Non-ASCII on purpose: the examples must sign the raw bytes, not a re-encoded string. */
const BODY = JSON.stringify({ id: '0193f2c4-0000-7000-8000-000000000001', type: 'ticket.created', data: { ticket: { subject: 'Café ☕ on fire' } } });

type Case = { name: string; header: string; body: string; secret: string };

/** The one fenced block of that language in docs/webhooks.md, as a receiver would copy it. */
function codeBlock(markdown: string, language: string): string {
  const blocks = [...markdown.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]!);
  expect(blocks, `one \`\`\`${language} block in docs/webhooks.md`).toHaveLength(1);
  return blocks[0]!;
}

/**
 * The verification examples of docs/webhooks.md, copied out of the page and run against the
 * signature the deliverer sends: they must accept it and refuse a wrong secret, a changed body, an
 * old timestamp and a malformed header.
 */
describe('the signature verification examples of docs/webhooks.md', () => {
  let directory: string;
  let markdown: string;
  const now = Math.floor(Date.now() / 1000);
  const signed = signWebhookBody(SECRET, BODY, now);
  const cases: Case[] = [
    { name: 'as sent', header: signed, body: BODY, secret: SECRET },
    { name: 'another secret', header: signed, body: BODY, secret: OTHER_SECRET },
    { name: 'a changed body', header: signed, body: BODY.replace('on fire', 'fine'), secret: SECRET },
    { name: 'ten minutes old', header: signWebhookBody(SECRET, BODY, now - 600), body: BODY, secret: SECRET },
    { name: 'no v1', header: `t=${now}`, body: BODY, secret: SECRET },
    { name: 'not a signature', header: 'nonsense', body: BODY, secret: SECRET },
  ];
  const expected = { 'as sent': true, 'another secret': false, 'a changed body': false, 'ten minutes old': false, 'no v1': false, 'not a signature': false };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'webhook-doc-examples-'));
    markdown = await readFile(DOC, 'utf8');
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('the Node example accepts the signature the deliverer sends and refuses the rest', async () => {
    const file = join(directory, 'verify.mjs');
    await writeFile(file, codeBlock(markdown, 'js'));
    const { verifyHelpdeskSignature } = (await import(pathToFileURL(file).href)) as { verifyHelpdeskSignature: (header: string, rawBody: Buffer, secret: string) => boolean };
    const verdicts = Object.fromEntries(cases.map(({ name, header, body, secret }) => [name, verifyHelpdeskSignature(header, Buffer.from(body, 'utf8'), secret)]));
    expect(verdicts).toEqual(expected);
  });

  it('the Python example accepts the signature the deliverer sends and refuses the rest', async () => {
    await writeFile(join(directory, 'verify.py'), codeBlock(markdown, 'python'));
    await writeFile(join(directory, 'cases.json'), JSON.stringify(cases));
    const runner = [
      'import json, sys',
      'sys.path.insert(0, sys.argv[1])',
      'from verify import verify_helpdesk_signature',
      'cases = json.load(open(sys.argv[1] + "/cases.json", encoding="utf-8"))',
      'print(json.dumps({c["name"]: verify_helpdesk_signature(c["header"], c["body"].encode("utf-8"), c["secret"]) for c in cases}))',
    ].join('\n');
    const { stdout } = await promisify(execFile)('python3', ['-c', runner, directory]);
    expect(JSON.parse(stdout)).toEqual(expected);
  });
});
