import { parse } from 'node:querystring';

const FILTER_PREFIX = 'field.';
const FIELD_KEY = /^[a-z][a-z0-9_]*$/;

/**
 * The gateway's query-string parser: Node's, plus custom field filters (DESIGN section 14):
 * `?field.<key>=<value>` parameters arrive as one `fields` object, which the list DTOs validate like
 * any other parameter. A parameter whose key is not a field key stays as it is, and is refused as unknown.
 */
export function parseQueryString(text: string): Record<string, unknown> {
  const parsed: Record<string, unknown> = { ...parse(text) };
  if ('fields' in parsed) return parsed;
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(parsed)) {
    const key = name.slice(FILTER_PREFIX.length);
    if (!name.startsWith(FILTER_PREFIX) || !FIELD_KEY.test(key)) continue;
    fields[key] = parsed[name];
    delete parsed[name];
  }
  if (Object.keys(fields).length > 0) parsed.fields = fields;
  return parsed;
}
