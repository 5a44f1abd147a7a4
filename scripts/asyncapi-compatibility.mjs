// The v1 compatibility rule of the public NATS interface (docs/events.md, Versioning), as a comparison of two
// AsyncAPI documents: the last released one (docs/asyncapi/released-v1.json) and the current one.
// Hand-written: the AsyncAPI diff tools (@asyncapi/diff) classify by document structure, not by who reads and who
// writes a message, and do not know that old events stay in the stream; this rule needs both.
//
// Who reads decides what breaks. Events and command replies are written by the platform and read by integrations
// ("read"): a consumer relies on every property and type it was promised, and replays events retained in the stream,
// so a property may not disappear, change type, gain a value type, stop or start being required, nor may a required
// property be added. Command requests are written by integrations ("write"): every request valid before must stay
// valid, so no new required property, no removed property, no type or enum value no longer accepted.
// Additive everywhere: new channels, new event types, new commands, new optional properties, new enum values.

/** The breaking changes from `released` to `current`, each a sentence naming where; empty when compatible. */
export function breakingChanges(released, current) {
  const problems = [];
  const roles = channelRoles(released);
  for (const [channelId, channel] of Object.entries(released.channels ?? {})) {
    const now = current.channels?.[channelId];
    if (!now) {
      problems.push(`channel ${channelId} (${channel.address ?? 'reply inbox'}) was removed`);
      continue;
    }
    if ((channel.address ?? null) !== (now.address ?? null)) problems.push(`channel ${channelId}: its address changed from ${channel.address} to ${now.address}`);
    const role = roles.get(channelId) ?? 'read';
    for (const [messageId, reference] of Object.entries(channel.messages ?? {})) {
      const was = resolve(released, reference);
      const is = now.messages?.[messageId] ? resolve(current, now.messages[messageId]) : undefined;
      if (!is) {
        problems.push(`channel ${channelId}: message ${messageId} was removed`);
        continue;
      }
      const where = `${channelId} ${messageId}`;
      for (const part of ['payload', 'headers']) {
        if (was[part]) compareSchemas({ released, current, role, problems, seen: new Set() }, was[part], is[part] ?? {}, `${where} ${part}`);
      }
    }
  }
  return problems;
}

/** `write` for the channels integrations send on (the platform's `receive` operations), `read` for every other. */
function channelRoles(document) {
  const roles = new Map();
  for (const operation of Object.values(document.operations ?? {})) {
    const channelId = refName(operation.channel?.$ref);
    if (channelId) roles.set(channelId, operation.action === 'receive' ? 'write' : 'read');
    const replyId = refName(operation.reply?.channel?.$ref);
    if (replyId) roles.set(replyId, 'read');
  }
  return roles;
}

const refName = (reference) => (reference ? decodePointer(reference.split('/').pop()) : undefined);
const decodePointer = (token) => token.replaceAll('~1', '/').replaceAll('~0', '~');

/** Follows local `$ref`s (`#/components/...`) in `document`. */
function resolve(document, schema) {
  let node = schema;
  for (let hops = 0; node && typeof node.$ref === 'string'; hops += 1) {
    if (hops > 50) throw new Error(`$ref loop at ${schema.$ref}`);
    node = node.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((value, token) => value?.[decodePointer(token)], document);
  }
  return node ?? {};
}

/** The JSON types a schema allows (without its variants); undefined when it says nothing about them. */
function typesOf(schema) {
  const types = new Set();
  if (schema.type !== undefined) for (const type of [schema.type].flat()) types.add(type === 'integer' ? 'number' : type);
  const values = schema.const !== undefined ? [schema.const] : schema.enum;
  if (values) for (const value of values) types.add(value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value);
  if (types.size === 0 && schema.properties) types.add('object');
  return types.size > 0 ? types : undefined;
}

const valuesOf = (schema) => (schema.const !== undefined ? [schema.const] : schema.enum);
const variantsOf = (schema) => schema.anyOf ?? schema.oneOf;
const show = (values) => [...values].map((value) => JSON.stringify(value)).join(', ');

function compareSchemas(context, releasedSchema, currentSchema, where) {
  const was = resolve(context.released, releasedSchema);
  const is = resolve(context.current, currentSchema);
  // Recursive schemas: a pair already under comparison is being compared further up.
  const key = `${JSON.stringify(releasedSchema)}|${JSON.stringify(currentSchema)}|${where.split('.').length > 30 ? '' : where}`;
  if (context.seen.has(key)) return;
  context.seen.add(key);
  const { problems, role } = context;

  const wasVariants = variantsOf(was);
  const isVariants = variantsOf(is);
  if (wasVariants || isVariants) {
    const before = wasVariants ?? [was];
    const after = isVariants ?? [is];
    const attempt = (left, right) => {
      const trial = { ...context, problems: [], seen: new Set(context.seen) };
      compareSchemas(trial, left, right, where);
      return trial.problems;
    };
    // Read: every value the platform may now send must be one a reader was promised. Write: every request valid before stays valid.
    const [from, to, verb] = role === 'read' ? [after, before, 'may now also be'] : [before, after, 'no longer accepts'];
    for (const variant of from) {
      const outcomes = to.map((candidate) => (role === 'read' ? attempt(candidate, variant) : attempt(variant, candidate)));
      if (outcomes.some((outcome) => outcome.length === 0)) continue;
      const closest = outcomes.sort((a, b) => a.length - b.length)[0] ?? [];
      problems.push(`${where}: ${verb} ${describe(resolve(role === 'read' ? context.current : context.released, variant))}${closest.length > 0 ? ` (${closest.join('; ')})` : ''}`);
    }
    return;
  }

  const wasTypes = typesOf(was);
  const isTypes = typesOf(is);
  if (wasTypes && isTypes) {
    const added = [...isTypes].filter((type) => !wasTypes.has(type));
    const removed = [...wasTypes].filter((type) => !isTypes.has(type));
    if (role === 'read' && added.length > 0) problems.push(`${where}: its type changed from ${[...wasTypes].join('|')} to ${[...isTypes].join('|')}`);
    if (role === 'write' && removed.length > 0) problems.push(`${where}: its type changed from ${[...wasTypes].join('|')} to ${[...isTypes].join('|')}`);
  }

  const wasValues = valuesOf(was);
  const isValues = valuesOf(is);
  if (wasValues && isValues) {
    const removed = wasValues.filter((value) => !isValues.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value)));
    if (removed.length > 0) problems.push(`${where}: enum value(s) ${show(removed)} removed`);
  } else if (!wasValues && isValues && role === 'write') problems.push(`${where}: now accepts only ${show(isValues)}`);

  if (was.properties || is.properties) {
    const wasRequired = new Set(was.required ?? []);
    const isRequired = new Set(is.required ?? []);
    for (const [name, schema] of Object.entries(was.properties ?? {})) {
      const path = `${where}.${name}`;
      if (!is.properties?.[name]) {
        problems.push(`${path}: property removed`);
        continue;
      }
      compareSchemas(context, schema, is.properties[name], path);
      if (role === 'read' && wasRequired.has(name) && !isRequired.has(name)) problems.push(`${path}: no longer required (consumers rely on it)`);
      if (role === 'read' && !wasRequired.has(name) && isRequired.has(name)) problems.push(`${path}: made required (events retained in the stream lack it)`);
      if (role === 'write' && !wasRequired.has(name) && isRequired.has(name)) problems.push(`${path}: made required (existing requests lack it)`);
    }
    for (const name of isRequired) {
      if (was.properties?.[name]) continue;
      problems.push(`${where}.${name}: new required property (${role === 'read' ? 'events retained in the stream lack it' : 'existing requests lack it'}); add it as optional`);
    }
  }
  if (was.items && is.items) compareSchemas(context, was.items, is.items, `${where}[]`);
  if (isObject(was.additionalProperties) && isObject(is.additionalProperties)) compareSchemas(context, was.additionalProperties, is.additionalProperties, `${where}.*`);
  if (role === 'write' && was.additionalProperties !== false && is.additionalProperties === false && !was.properties) problems.push(`${where}: no longer accepts other properties`);
}

const isObject = (value) => typeof value === 'object' && value !== null;

function describe(schema) {
  const types = typesOf(schema);
  if (schema.properties) return `an object with ${Object.keys(schema.properties).join(', ')}`;
  if (valuesOf(schema)) return show(valuesOf(schema));
  return types ? [...types].join('|') : 'anything';
}
