import { detectAll } from 'tinyld';
import type { Scored } from '@helpdesk/contracts';

export const UNDETERMINED_LANGUAGE = 'und';

/** The text's language as an ISO 639-1 code (tinyld, n-gram based, offline), with its confidence. */
export function detectLanguage(text: string): Scored<string> {
  const [best] = detectAll(text);
  if (!best) return { value: UNDETERMINED_LANGUAGE, confidence: 0 };
  return { value: best.lang, confidence: Number(Math.min(1, best.accuracy).toFixed(3)) };
}
