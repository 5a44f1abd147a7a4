import { keywords } from './text-classifier.js';

export interface Passage {
  /** Who wrote it, shown before each picked sentence (e.g. "customer", "agent", "internal note"). */
  speaker: string;
  text: string;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * An extractive summary: the sentences whose words recur most across the whole conversation, kept in
 * their original order. Hand-written because the npm summarizers are unmaintained; frequency
 * scoring is the classic baseline (Luhn) and needs no model.
 */
export function extractiveSummary(passages: Passage[], maxSentences = 3): string {
  const sentences = passages.flatMap((passage, passageIndex) =>
    [...segmenter.segment(passage.text)]
      .map((segment) => segment.segment.trim())
      .filter((sentence) => sentence.length > 0)
      .map((sentence, sentenceIndex) => ({ speaker: passage.speaker, sentence, order: passageIndex * 1_000 + sentenceIndex, words: keywords(sentence) })),
  );
  const frequency = new Map<string, number>();
  for (const { words } of sentences) for (const word of words) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const scored = sentences.map((entry) => ({
    ...entry,
    // Square root of the length: long sentences do not win just by having more words.
    score: entry.words.reduce((sum, word) => sum + (frequency.get(word) ?? 0), 0) / Math.sqrt(Math.max(1, entry.words.length)),
  }));
  const picked = [...scored].sort((a, b) => b.score - a.score || a.order - b.order).slice(0, maxSentences).sort((a, b) => a.order - b.order);
  return picked.map(({ speaker, sentence }) => `${speaker}: ${sentence}`).join('\n');
}
