/**
 * Removes personal data and credentials from text before it leaves for an external model.
 * Hand-written: the npm redactors either call a cloud service or miss IBAN and card checksums;
 * each pattern is one row here and covered by the spec.
 */

export type RedactionKind = 'JWT' | 'SECRET' | 'EMAIL' | 'IBAN' | 'CARD' | 'PHONE';

interface Rule {
  kind: RedactionKind;
  pattern: RegExp;
  /** Filters candidates, to keep order and invoice numbers that merely look like a number. */
  accept?: (match: string) => boolean;
  /** The replacement; `[KIND]` when absent. */
  replace?: (match: string, ...groups: string[]) => string;
}

const digitsOf = (text: string) => text.replace(/\D/g, '');

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616: move the country and check digits to the end, letters to numbers, remainder 1 modulo 97. */
function isIban(candidate: string): boolean {
  const compact = candidate.replace(/\s/g, '').toUpperCase();
  const rearranged = `${compact.slice(4)}${compact.slice(0, 4)}`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of rearranged) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/** Words for a password, in English, German, French, Spanish, Portuguese and Dutch. */
const PASSWORD_WORDS = 'password|passwd|pwd|passcode|passphrase|pass phrase|passwort|kennwort|mot de passe|contrase[ñn]a|senha|wachtwoord';
/** "is" and "was" in the same languages: "my password is hunter2". */
const STATING_VERBS = 'is now|ist jetzt|is|was|ist|war|lautet|est|était|es|era|é';
/** What follows "password is" when no password is given: "my password is not working". */
const NOT_A_PASSWORD = 'not|no|wrong|incorrect|invalid|expired|required|too|missing|empty|blank|locked|still|being|the|a|an|nicht|falsch|abgelaufen|pas|faux|incorrecto|incorrecta';
/** A quoted value, or the next run of non-blanks. */
const VALUE = '"[^"]*"|\'[^\']*\'|“[^”]*”|\\S+';
/** Not inside a word (Unicode-aware, where \b is ASCII-only). */
const WORD_START = '(?<![\\p{L}\\p{N}_])';
const WORD_END = '(?![\\p{L}\\p{N}_])';

const RULES: Rule[] = [
  { kind: 'JWT', pattern: /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/g },
  // "password: hunter2", "api_key=...", "Kennwort: geheim": the value goes, the label stays so the text still reads.
  {
    kind: 'SECRET',
    pattern: new RegExp(`${WORD_START}(api[_-]?key|access[_-]?token|token|secret|${PASSWORD_WORDS})(\\s*[:=]\\s*)(${VALUE})`, 'giu'),
    replace: (_match, label, separator) => `${label}${separator}[SECRET]`,
  },
  // "my password is hunter2", "mein Passwort ist Sommer2024", "la contraseña es gato123".
  {
    kind: 'SECRET',
    pattern: new RegExp(`${WORD_START}(${PASSWORD_WORDS})(\\s+(?:${STATING_VERBS})\\s+)(?!(?:${NOT_A_PASSWORD})${WORD_END})(${VALUE})`, 'giu'),
    replace: (_match, label, separator) => `${label}${separator}[SECRET]`,
  },
  { kind: 'SECRET', pattern: /\bBearer\s+[\w.~+/-]{16,}=*/gi },
  // Provider key formats: OpenAI/Stripe-like sk-/pk-/rk-, GitHub, AWS access keys, Slack.
  { kind: 'SECRET', pattern: /\b(?:sk|pk|rk)[-_](?:live_|test_|proj-)?[\w-]{16,}/g },
  { kind: 'SECRET', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g },
  { kind: 'SECRET', pattern: /\bAKIA[0-9A-Z]{16}\b/g },
  { kind: 'SECRET', pattern: /\bxox[abprs]-[\w-]{10,}/g },
  // Any other long run of letters and digits mixed together reads as a token.
  { kind: 'SECRET', pattern: /\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{32,}\b/g },
  // Internationalized addresses too (jörg@bücher.de, 用户@例子.广告): letters and marks of any script.
  { kind: 'EMAIL', pattern: /[\p{L}\p{M}\p{N}.%+_-]+@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)*\.[\p{L}\p{M}]{2,}/gu },
  { kind: 'IBAN', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/gi, accept: isIban },
  { kind: 'CARD', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, accept: (match) => passesLuhn(digitsOf(match)) },
  {
    kind: 'PHONE',
    pattern: /(?:\+|\b00|\()?\d[\d\s().\/-]{5,}\d\b/g,
    accept: (match) => {
      const digits = digitsOf(match).length;
      return digits >= 7 && digits <= 15 && !/^\d{4}-\d{2}-\d{2}$/.test(match.trim());
    },
  },
];

export interface Redacted {
  text: string;
  /** How many pieces of each kind were replaced (for logs: never the values). */
  counts: Partial<Record<RedactionKind, number>>;
}

export function redactPii(text: string): Redacted {
  const counts: Partial<Record<RedactionKind, number>> = {};
  let result = text;
  for (const rule of RULES) {
    result = result.replace(rule.pattern, (match: string, ...groups: unknown[]) => {
      if (rule.accept && !rule.accept(match)) return match;
      counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
      return rule.replace ? rule.replace(match, ...(groups.filter((group) => typeof group === 'string') as string[])) : `[${rule.kind}]`;
    });
  }
  return { text: result, counts };
}
