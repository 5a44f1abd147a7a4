import { Parser } from '@asyncapi/parser';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { breakingChanges } from '../../scripts/asyncapi-compatibility.mjs';
import { generateAsyncApiDocument, RELEASED_TARGET, YAML_TARGET } from '../../scripts/asyncapi.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Severity 0 is an error, 1 a warning (2 and 3: information and hints, such as "AsyncAPI 3.1 exists").
const ERROR = 0;
const WARNING = 1;

type Schema = Record<string, any>;
type Document = { channels: Record<string, Schema>; operations: Record<string, Schema>; components: { schemas: Record<string, Schema>; messages: Record<string, Schema> } };

describe('the AsyncAPI document of the public NATS interface (docs/asyncapi.yaml)', () => {
  it('is the one libs/contracts generate (npm run asyncapi), in docs/ and in the gateway', async () => {
    const { stderr } = await run(process.execPath, [`${ROOT}scripts/asyncapi.mjs`, '--check'], { cwd: ROOT }).catch((error: { stderr: string }) => ({ stderr: error.stderr }));
    expect(stderr).toBe('');
  });

  it('validates with the AsyncAPI parser, without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(await readFile(YAML_TARGET, 'utf8'));
    const problems = diagnostics.filter((diagnostic) => diagnostic.severity === ERROR || diagnostic.severity === WARNING).map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
    // The parser's model sees every channel with its address, parameters and messages.
    const addresses = document!.channels().all().map((channel) => channel.address());
    expect(addresses).toContain('helpdesk.v1.public.events.{organizationId}.ticket.created');
    expect(addresses).toContain('helpdesk.v1.public.commands.{organizationId}.{integrationId}.tickets.create');
    const created = document!.channels().all().find((channel) => channel.address() === 'helpdesk.v1.public.events.{organizationId}.ticket.created')!;
    expect(created.parameters().all().map((parameter) => parameter.id())).toEqual(['organizationId']);
    expect(created.messages().all()[0]!.headers()?.properties()?.['Nats-Msg-Id']).toBeDefined();
    const answer = document!.operations().all().find((operation) => operation.id() === 'answer.tickets.create')!;
    expect(answer.action()).toBe('receive');
    expect(answer.reply()?.messages().all()).toHaveLength(1);
  });

  it('describes every public event and command, their headers and the error codes', async () => {
    const document = parse(await readFile(YAML_TARGET, 'utf8')) as Document;
    const { PUBLIC_COMMAND_NAMES, PUBLIC_EVENT_TYPES, ERROR_CODES, REQUEST_ID_HEADER } = await import('@helpdesk/contracts');
    for (const type of PUBLIC_EVENT_TYPES) {
      expect(document.channels[`event.${type}`]?.address).toBe(`helpdesk.v1.public.events.{organizationId}.${type}`);
      const payload = document.components.schemas[document.components.messages[type]!.payload.$ref.split('/').pop()]!;
      expect(payload.properties.type).toEqual({ type: 'string', const: type });
      expect(payload.properties.data.$ref ?? payload.properties.data.type).toBeDefined();
    }
    for (const name of PUBLIC_COMMAND_NAMES) {
      expect(document.channels[`command.${name}`]?.address).toBe(`helpdesk.v1.public.commands.{organizationId}.{integrationId}.${name}`);
      expect(document.operations[`answer.${name}`]!.reply.channel.$ref).toBe(`#/channels/command.${name}.reply`);
    }
    expect(document.components.schemas.ErrorCode!.enum).toEqual([...ERROR_CODES]);
    expect(Object.keys(document.components.schemas.PublicEventHeaders!.properties)).toEqual(expect.arrayContaining(['Nats-Msg-Id', 'traceparent']));
    expect(Object.keys(document.components.schemas.PublicCommandHeaders!.properties)).toContain(REQUEST_ID_HEADER);
  });

  it('changes the last released v1 (docs/asyncapi/released-v1.json) only additively', async () => {
    const released = JSON.parse(await readFile(RELEASED_TARGET, 'utf8')) as Document;
    expect(breakingChanges(released, await generateAsyncApiDocument())).toEqual([]);
  });
});

/** A small released document: one event and one command, enough to try each kind of change on. */
function releasedFixture(): Document {
  return {
    channels: {
      'event.thing.created': { address: 'helpdesk.v1.public.events.{organizationId}.thing.created', messages: { 'thing.created': { $ref: '#/components/messages/thing.created' } } },
      'command.things.create': { address: 'helpdesk.v1.public.commands.{organizationId}.{integrationId}.things.create', messages: { request: { $ref: '#/components/messages/things.create.request' } } },
      'command.things.create.reply': { address: null, messages: { reply: { $ref: '#/components/messages/things.create.reply' } } },
    },
    operations: {
      'publish.thing.created': { action: 'send', channel: { $ref: '#/channels/event.thing.created' } },
      'answer.things.create': { action: 'receive', channel: { $ref: '#/channels/command.things.create' }, reply: { channel: { $ref: '#/channels/command.things.create.reply' } } },
    },
    components: {
      messages: {
        'thing.created': { payload: { $ref: '#/components/schemas/ThingCreatedEvent' } },
        'things.create.request': { payload: { $ref: '#/components/schemas/ThingsCreateRequest' } },
        'things.create.reply': { payload: { $ref: '#/components/schemas/ThingsCreateReply' } },
      },
      schemas: {
        Color: { type: 'string', enum: ['red', 'green'] },
        Thing: {
          type: 'object',
          properties: { id: { type: 'string' }, size: { type: 'number' }, color: { $ref: '#/components/schemas/Color' }, note: { type: ['string', 'null'] } },
          required: ['id', 'size', 'color'],
        },
        ThingCreatedEvent: { type: 'object', properties: { type: { type: 'string', const: 'thing.created' }, data: { type: 'object', properties: { thing: { $ref: '#/components/schemas/Thing' } }, required: ['thing'] } }, required: ['type', 'data'] },
        ThingsCreateRequest: { type: 'object', properties: { name: { type: 'string' }, color: { $ref: '#/components/schemas/Color' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['name'] },
        ThingsCreateReply: {
          oneOf: [
            { type: 'object', properties: { result: { $ref: '#/components/schemas/Thing' } }, required: ['result'] },
            { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: ['VALIDATION', 'NOT_FOUND'] } }, required: ['code'] } }, required: ['error'] },
          ],
        },
      },
    },
  };
}

function changed(change: (document: Document) => void): Document {
  const document = structuredClone(releasedFixture());
  change(document);
  return document;
}

describe('the v1 compatibility rule (scripts/asyncapi-compatibility.mjs)', () => {
  it('accepts the same document', () => {
    expect(breakingChanges(releasedFixture(), releasedFixture())).toEqual([]);
  });

  it.each([
    ['a new event type', (d: Document) => {
      d.channels['event.thing.deleted'] = { address: 'helpdesk.v1.public.events.{organizationId}.thing.deleted', messages: {} };
    }],
    ['a new command', (d: Document) => {
      d.channels['command.things.get'] = { address: 'helpdesk.v1.public.commands.{organizationId}.{integrationId}.things.get', messages: {} };
    }],
    ['a new optional property in an event', (d: Document) => {
      d.components.schemas.Thing!.properties.weight = { type: 'number' };
    }],
    ['a new optional property in a command request', (d: Document) => {
      d.components.schemas.ThingsCreateRequest!.properties.weight = { type: 'number' };
    }],
    ['a new enum value', (d: Document) => {
      d.components.schemas.Color!.enum.push('blue');
    }],
    ['a request property no longer required', (d: Document) => {
      d.components.schemas.ThingsCreateRequest!.required = [];
    }],
    ['a request property accepting null too', (d: Document) => {
      d.components.schemas.ThingsCreateRequest!.properties.name = { type: ['string', 'null'] };
    }],
    ['an event property that can no longer be null', (d: Document) => {
      d.components.schemas.Thing!.properties.note = { type: 'string' };
    }],
    ['a new error code', (d: Document) => {
      d.components.schemas.ThingsCreateReply!.oneOf[1].properties.error.properties.code.enum.push('CONFLICT');
    }],
    ['descriptions', (d: Document) => {
      d.components.schemas.Thing!.description = 'A thing.';
    }],
  ])('accepts an additive change: %s', (_label, change) => {
    expect(breakingChanges(releasedFixture(), changed(change))).toEqual([]);
  });

  it.each([
    ['a removed event channel', (d: Document) => delete d.channels['event.thing.created'], /channel event\.thing\.created .* was removed/],
    ['a removed command channel', (d: Document) => delete d.channels['command.things.create'], /channel command\.things\.create .* was removed/],
    ['a changed subject', (d: Document) => {
      d.channels['event.thing.created']!.address = 'helpdesk.v1.public.events.{organizationId}.thing.made';
    }, /address changed/],
    ['a removed event property', (d: Document) => delete d.components.schemas.Thing!.properties.size, /payload\.data\.thing\.size: property removed/],
    ['a removed request property', (d: Document) => delete d.components.schemas.ThingsCreateRequest!.properties.tags, /request payload\.tags: property removed/],
    ['an event property whose type changed', (d: Document) => {
      d.components.schemas.Thing!.properties.size = { type: 'string' };
    }, /thing\.size: its type changed from number to string/],
    ['an event property that may now be null', (d: Document) => {
      d.components.schemas.Thing!.properties.id = { type: ['string', 'null'] };
    }, /thing\.id: its type changed/],
    ['a request property whose type changed', (d: Document) => {
      d.components.schemas.ThingsCreateRequest!.properties.name = { type: 'number' };
    }, /request payload\.name: its type changed from string to number/],
    ['an event property made required', (d: Document) => {
      d.components.schemas.Thing!.required.push('note');
    }, /thing\.note: made required/],
    ['an event property no longer required', (d: Document) => {
      d.components.schemas.Thing!.required = ['id', 'color'];
    }, /thing\.size: no longer required/],
    ['a new required event property', (d: Document) => {
      d.components.schemas.Thing!.properties.weight = { type: 'number' };
      d.components.schemas.Thing!.required.push('weight');
    }, /thing\.weight: new required property/],
    ['a new required request property', (d: Document) => {
      d.components.schemas.ThingsCreateRequest!.properties.owner = { type: 'string' };
      d.components.schemas.ThingsCreateRequest!.required.push('owner');
    }, /request payload\.owner: new required property/],
    ['a request property made required', (d: Document) => {
      d.components.schemas.ThingsCreateRequest!.required.push('tags');
    }, /request payload\.tags: made required/],
    ['a removed enum value (in an event and a request)', (d: Document) => {
      d.components.schemas.Color!.enum = ['red'];
    }, /thing\.color: enum value\(s\) "green" removed/],
    ['a removed error code', (d: Document) => {
      d.components.schemas.ThingsCreateReply!.oneOf[1].properties.error.properties.code.enum = ['VALIDATION'];
    }, /reply payload: may now also be .*"NOT_FOUND" removed/],
    ['a reply whose result changed type', (d: Document) => {
      d.components.schemas.ThingsCreateReply!.oneOf[0].properties.result = { type: 'string' };
    }, /reply payload: may now also be an object with result/],
    ['a removed message', (d: Document) => delete d.channels['event.thing.created']!.messages['thing.created'], /message thing\.created was removed/],
  ])('refuses a breaking change: %s', (_label, change, expected) => {
    const problems = breakingChanges(releasedFixture(), changed(change as (document: Document) => void));
    expect(problems.join('\n')).toMatch(expected);
  });

  it('names the request side of an enum value removed from a shared type too', () => {
    const problems = breakingChanges(releasedFixture(), changed((d) => void (d.components.schemas.Color!.enum = ['red'])));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/request payload\.color: enum value\(s\) "green" removed/)]));
  });
});
