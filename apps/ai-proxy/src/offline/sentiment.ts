import Sentiment from 'sentiment';
import type { AiSentiment, Scored } from '@helpdesk/contracts';

const analyzer = new Sentiment();
/** Average AFINN score per word beyond which a ticket reads as negative or positive rather than neutral. */
const NEUTRAL_BAND = 0.05;

/** Sentiment from the AFINN word list (English words; text in other languages mostly reads neutral). */
export function sentimentOf(text: string): Scored<AiSentiment> {
  const { comparative, words } = analyzer.analyze(text);
  if (words.length === 0 || Math.abs(comparative) <= NEUTRAL_BAND) return { value: 'neutral', confidence: words.length === 0 ? 0.5 : 0.6 };
  // The further the average word score from zero (AFINN runs -5..5), the surer; capped below certainty.
  const confidence = Math.min(0.95, 0.5 + Math.abs(comparative) / 2);
  return { value: comparative < 0 ? 'negative' : 'positive', confidence: Number(confidence.toFixed(3)) };
}
