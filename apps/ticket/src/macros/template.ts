import { TEMPLATE_PLACEHOLDERS, type TemplatePlaceholder } from '@helpdesk/contracts';
import { CommandError, sanitizeRichText } from '@helpdesk/common';

/** `{{ name }}`, spaces inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export type TemplateValues = Record<TemplatePlaceholder, string>;

/**
 * A template as stored: sanitized like a comment, every placeholder one we know. `what` names the
 * template in the error ("actions[1].body", "body") so the admin knows which one to fix.
 */
export function checkedTemplate(html: string, what: string): string {
  const body = sanitizeRichText(html);
  const unknown = [...body.matchAll(PLACEHOLDER)].map((match) => match[1]!).filter((name) => !(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new CommandError('VALIDATION', `${what} uses unknown placeholder${unknown.length > 1 ? 's' : ''} ${[...new Set(unknown)].map((name) => `{{${name}}}`).join(', ')}; known are ${TEMPLATE_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ')}`);
  }
  if (!body.replace(PLACEHOLDER, 'x').replace(/<[^>]*>/g, '').trim()) throw new CommandError('VALIDATION', `${what} must contain text`);
  return body;
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Fills the placeholders with HTML-escaped values, then sanitizes the result as any comment is. */
export function renderTemplate(template: string, values: TemplateValues): string {
  const filled = template.replace(PLACEHOLDER, (whole, name: string) => ((TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name) ? escapeHtml(values[name as TemplatePlaceholder]) : whole));
  return sanitizeRichText(filled);
}
