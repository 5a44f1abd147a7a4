// Writes the AsyncAPI 3 document of the public NATS interface (docs/events.md, "Integrating over NATS") from
// libs/contracts: docs/asyncapi.yaml, and the same document as a module the gateway serves at /api/asyncapi.json.
//   npm run asyncapi               writes both
//   npm run asyncapi -- --check    fails when either is stale (the asyncapi-document spec runs it)
//   npm run asyncapi -- --release  also records the schemas as the last released v1 (docs/asyncapi/released-v1.json),
//                                  which the compatibility spec compares every later change with
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';
import { stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = `${ROOT}libs/contracts/src/public-events.ts`;
export const YAML_TARGET = `${ROOT}docs/asyncapi.yaml`;
export const MODULE_TARGET = `${ROOT}apps/gateway/src/http/asyncapi-document.generated.ts`;
export const RELEASED_TARGET = `${ROOT}docs/asyncapi/released-v1.json`;

/** Component keys allow only [A-Za-z0-9._-]. */
const componentName = (definition) => decodeURIComponent(definition).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/_+$/, '');
/** `ticket.sla.warning` → `TicketSlaWarning`. */
const pascal = (name) => name.split(/[^A-Za-z0-9]+/).map((part) => part[0].toUpperCase() + part.slice(1)).join('');

/**
 * The document as an object. `strict` closes every object schema (additionalProperties: false): the published
 * document stays open, since consumers must accept properties added within v1, and the tests use the strict one to
 * prove that real events carry nothing the contracts do not describe.
 */
export async function generateAsyncApiDocument({ strict = false } = {}) {
  const generator = createGenerator({ path: SOURCE, tsconfig: `${ROOT}tsconfig.json`, type: 'PublicInterfaceTypes', expose: 'export', topRef: false, jsDoc: 'extended', skipTypeCheck: true, additionalProperties: !strict });
  const { definitions = {}, properties: root } = generator.createSchema('PublicInterfaceTypes');
  // The lists and names, as the type checker reads them from the contracts' constants.
  const listOf = (name) => definitions[root[name].$ref.replace('#/definitions/', '')].enum;
  const [eventTypes, commandNames, subjectRoot, requestIdHeader] = [listOf('eventTypes'), listOf('commandNames'), root.subjectRoot.const, root.requestIdHeader.const];
  const rewrite = (value) =>
    JSON.parse(JSON.stringify(value), (key, node) => (key === '$ref' && typeof node === 'string' ? `#/components/schemas/${componentName(node.replace('#/definitions/', ''))}` : node));
  const schemas = {};
  // The maps of every event's data and every command's bodies become one named schema per event and command, below.
  const maps = new Set(['PublicEventData', 'PublicCommandRequests', 'PublicCommandReplies', 'PublicEventType', 'PublicCommandName']);
  for (const [name, schema] of Object.entries(definitions)) if (!maps.has(name)) schemas[componentName(name)] = rewrite(schema);
  const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
  const messages = {};
  const channels = {};
  const operations = {};
  const organizationParameter = { organizationId: { $ref: '#/components/parameters/organizationId' } };

  for (const type of eventTypes) {
    const data = definitions.PublicEventData.properties[type];
    if (!data) throw new Error(`PublicEventData (libs/contracts/src/public-events.ts) has no data for the public event ${type}`);
    const envelopeName = `${pascal(type)}Event`;
    const envelope = rewrite(definitions.EventEnvelope);
    envelope.properties.type = { type: 'string', const: type };
    const { description: _when, ...dataSchema } = data;
    envelope.properties.data = rewrite(dataSchema);
    // The version of the envelope's data schema: 1 for every v1 event (docs/events.md, Versioning).
    envelope.properties.version = { type: 'number', const: 1 };
    delete envelope.description;
    schemas[envelopeName] = { ...envelope, description: `The envelope of \`${type}\` (every public event's envelope is the same; \`data\` differs).` };
    const messageName = type;
    messages[messageName] = {
      name: type,
      title: type,
      summary: data.description ?? `The \`${type}\` event.`,
      contentType: 'application/json',
      headers: ref('PublicEventHeaders'),
      payload: ref(envelopeName),
      correlationId: { description: 'The event id, also the Nats-Msg-Id header: consumers deduplicate on it.', location: '$message.payload#/id' },
    };
    const channelId = `event.${type}`;
    channels[channelId] = {
      address: `${subjectRoot}.events.{organizationId}.${type}`,
      title: `${type} events`,
      description: `One organization's \`${type}\` events. The gateway republishes them, envelope unchanged, from the platform's stream to the public server, where the organization's stream \`HELPDESK_PUBLIC_<organizationId without dashes>\` keeps them 7 days.`,
      parameters: organizationParameter,
      messages: { [messageName]: { $ref: `#/components/messages/${messageName}` } },
    };
    operations[`publish.${type}`] = {
      action: 'send',
      title: `Publish ${type}`,
      summary: `The platform publishes each \`${type}\` event of an organization once (JetStream drops duplicates by Nats-Msg-Id); integrations consume it from the organization's stream.`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: [{ $ref: `#/channels/${channelId}/messages/${messageName}` }],
    };
  }

  for (const name of commandNames) {
    const request = definitions.PublicCommandRequests.properties[name];
    const result = definitions.PublicCommandReplies.properties[name];
    if (!request || !result) throw new Error(`PublicCommandRequests and PublicCommandReplies (libs/contracts/src/public-nats.ts) must both describe the command ${name}`);
    const base = pascal(name);
    schemas[`${base}Request`] = rewrite(request);
    const resultSchema = { type: 'object', properties: { result: rewrite(result) }, required: ['result'], ...(strict ? { additionalProperties: false } : {}) };
    const errorSchema = { type: 'object', properties: { error: ref('ErrorEnvelope') }, required: ['error'], ...(strict ? { additionalProperties: false } : {}) };
    schemas[`${base}Reply`] = { description: `The reply to \`${name}\`: \`{ result }\`, or \`{ error }\` with the REST API's error codes.`, oneOf: [resultSchema, errorSchema] };
    messages[`${name}.request`] = { name: `${name}.request`, title: `${name} request`, contentType: 'application/json', headers: ref('PublicCommandHeaders'), payload: ref(`${base}Request`) };
    messages[`${name}.reply`] = { name: `${name}.reply`, title: `${name} reply`, contentType: 'application/json', headers: ref('PublicCommandHeaders'), payload: ref(`${base}Reply`) };
    const channelId = `command.${name}`;
    const replyChannelId = `command.${name}.reply`;
    channels[channelId] = {
      address: `${subjectRoot}.commands.{organizationId}.{integrationId}.${name}`,
      title: `${name} command`,
      description: schemas[`${base}Request`].description ?? `The \`${name}\` command.`,
      parameters: { ...organizationParameter, integrationId: { $ref: '#/components/parameters/integrationId' } },
      messages: { request: { $ref: `#/components/messages/${name}.request` } },
    };
    channels[replyChannelId] = {
      // NATS request/reply: the answer goes to the requester's own inbox, named in the request.
      address: null,
      title: `${name} reply`,
      description: "The requester's reply inbox (NATS request/reply). An integration may only subscribe to `_INBOX_<integrationId>.>`: its client connects with `inboxPrefix: \"_INBOX_<integrationId>\"`.",
      messages: { reply: { $ref: `#/components/messages/${name}.reply` } },
    };
    operations[`answer.${name}`] = {
      action: 'receive',
      title: `Answer ${name}`,
      summary: `The gateway answers \`${name}\` as the integration's named user, through the REST API's authorization, validation, rate limits and audit.`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: [{ $ref: `#/channels/${channelId}/messages/request` }],
      reply: { channel: { $ref: `#/channels/${replyChannelId}` }, messages: [{ $ref: `#/channels/${replyChannelId}/messages/reply` }] },
    };
  }

  if (schemas.PublicCommandHeaders?.properties?.[requestIdHeader] === undefined) throw new Error(`PublicCommandHeaders must describe the request id header ${requestIdHeader} (headers.ts)`);
  const sortedSchemas = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Helpdesk public NATS interface',
      version: '1.0.0',
      description: [
        'What other services may rely on over NATS: every subject under `' + subjectRoot + '.`. Every other subject is internal and not reachable with integration credentials.',
        '',
        '- **Events**: `' + subjectRoot + '.events.{organizationId}.<type>`, the envelope of every domain event with its type\'s `data`. Each is published once with `Nats-Msg-Id` = the event id (deduplicate on it) and, when traced, a W3C `traceparent`. Follow them with a durable JetStream consumer on the organization\'s public stream `HELPDESK_PUBLIC_<organizationId without dashes>` (subjects `' + subjectRoot + '.events.{organizationId}.>`).',
        '- **Commands**: NATS request/reply on `' + subjectRoot + '.commands.{organizationId}.{integrationId}.<name>` (connect with `inboxPrefix: "_INBOX_<integrationId>"`); the reply is `{ "result": … }` or `{ "error": { "code", "message", "details" } }` with the REST API\'s error codes. Send `' + requestIdHeader + '` to correlate with the platform\'s logs (the reply carries it).',
        '- **Versioning** (docs/events.md): within v1 changes are additive only (new optional properties, new event types, new commands): ignore unknown properties and event types. A breaking change gets a new subject version (`helpdesk.v2.public…`), published beside v1 during the deprecation window.',
        '',
        'Generated by `npm run asyncapi` from libs/contracts (public-nats.ts, public-events.ts): do not edit.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      public: {
        host: '{host}:{port}',
        protocol: 'nats',
        title: 'The public NATS server',
        description: "The public nats-server for integrations, apart from the platform's own NATS cluster (operator mode, TLS): docs/deployment.md, Exposing NATS to integrations, and k8s/nats/nats-public-values.yaml show how an operator exposes it.",
        variables: {
          host: { default: 'nats.helpdesk.example.com', description: 'The host name the operator gives the public NATS endpoint.' },
          port: { default: '4222', description: 'The NATS client port.' },
        },
        security: [{ $ref: '#/components/securitySchemes/organizationUser' }],
      },
    },
    channels,
    operations,
    components: {
      schemas: sortedSchemas,
      messages,
      parameters: {
        organizationId: { description: 'The organization (UUID) whose events or commands these are: integration credentials reach their own organization only.' },
        integrationId: { description: 'The integration (UUID) sending the command, as named when its credentials were created; the command acts as its integration user.' },
      },
      securitySchemes: {
        organizationUser: {
          // NATS decentralized authentication: the client signs the server's nonce with its user's nkey (ed25519) and presents the user JWT.
          type: 'asymmetricEncryption',
          description:
            "A NATS user per integration (decentralized JWT authentication): a `.creds` file holding the user JWT and its nkey seed, created by an admin of the organization with `POST /api/v1/integrations/nats`, shown once, revocable (the server then disconnects and refuses it). The user belongs to its organization's own NATS account, which holds that organization's events stream and reaches only that organization's events and commands (any subject a client names, a reply or delivery subject included, is a subject of that account). Its permissions narrow it to its own integration: subscribe `" +
            subjectRoot +
            '.events.{organizationId}.>` and `_INBOX_{integrationId}.>`; publish `' +
            subjectRoot +
            ".commands.{organizationId}.{integrationId}.>` and the JetStream API of the organization's stream `HELPDESK_PUBLIC_<organizationId without dashes>` (consumers, acks). No other organization's subject and no internal subject is reachable.",
        },
      },
    },
  };
}

export const yamlOf = (document) => `# Generated by \`npm run asyncapi\` from libs/contracts: do not edit.\n${stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })}`;
export const moduleOf = (document) =>
  `// Generated by \`npm run asyncapi\` from libs/contracts (also docs/asyncapi.yaml): do not edit.\n/* eslint-disable */\nexport const ASYNCAPI_DOCUMENT: Record<string, unknown> = ${JSON.stringify(document, null, 2)};\n`;
/** What a release freezes: the channels and every schema and message they use (compared by scripts/asyncapi-compatibility.mjs). */
export const releasedOf = (document) => `${JSON.stringify({ channels: document.channels, operations: document.operations, components: { schemas: document.components.schemas, messages: document.components.messages } }, null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const document = await generateAsyncApiDocument();
  const outputs = [
    [YAML_TARGET, yamlOf(document)],
    [MODULE_TARGET, moduleOf(document)],
  ];
  if (process.argv.includes('--check')) {
    let stale = false;
    for (const [target, generated] of outputs) {
      if ((await readFile(target, 'utf8').catch(() => '')) !== generated) {
        process.stderr.write(`${target} is stale: run npm run asyncapi and commit it\n`);
        stale = true;
      }
    }
    process.exit(stale ? 1 : 0);
  }
  for (const [target, generated] of outputs) await writeFile(target, generated);
  if (process.argv.includes('--release')) {
    await mkdir(`${ROOT}docs/asyncapi`, { recursive: true });
    await writeFile(RELEASED_TARGET, releasedOf(document));
  }
}
