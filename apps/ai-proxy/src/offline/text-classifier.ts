import naiveBayesTextClassifier, { type NaiveBayesTextClassifier } from 'wink-naive-bayes-text-classifier';
import nlp from 'wink-nlp-utils';

export interface LabelledText<L extends string> {
  text: string;
  label: L;
}

export interface Classification<L extends string> {
  /** Undefined when no word of the text was ever seen in training. */
  label: L | undefined;
  confidence: number;
}

/**
 * Lower-case, tokenize, Porter-stem: "Refunds refunded" and "refund" count as the same word. Stop
 * words stay: on short tickets "how do I" and "please add" carry the category (measured on the
 * held-out split, as are the smoothing and word-count settings below).
 */
const PREPARATION = [nlp.string.lowerCase, nlp.string.tokenize0, stemTokens];

/** Distinct words whose stems are remembered; beyond them words are stemmed each time. */
const REMEMBERED_STEMS = 50_000;
const stems = new Map<string, string>();

/**
 * nlp.tokens.stem, remembering each word's stem: Porter stemming runs a dozen regular expressions
 * per word, and support tickets use the same words over and over (measured: half the CPU of a
 * triage went to stemming the same words again). A Map bounded by size, not an LRU: the common
 * words arrive first and stay.
 */
function stemTokens(tokens: string[]): string[] {
  return tokens.map((token) => {
    let stem = stems.get(token);
    if (stem === undefined) {
      [stem] = nlp.tokens.stem([token]) as [string];
      if (stems.size < REMEMBERED_STEMS) stems.set(token, stem);
    }
    return stem;
  });
}

/**
 * A naive Bayes text classifier (wink-naive-bayes-text-classifier). Its raw learnings are kept, so
 * an organization's own examples extend the shipped model without relearning the corpus.
 */
export class TextClassifier<L extends string> {
  private constructor(
    private readonly model: NaiveBayesTextClassifier,
    /** Learnings before consolidation, which alone can still learn more. */
    private readonly learnings: string,
  ) {}

  static train<L extends string>(examples: LabelledText<L>[]): TextClassifier<L> {
    const model = naiveBayesTextClassifier();
    model.defineConfig({ considerOnlyPresence: false, smoothingFactor: 1 });
    return TextClassifier.learnAll(model, examples);
  }

  /** A new classifier that knows everything this one does, plus the examples. */
  extend(examples: LabelledText<L>[]): TextClassifier<L> {
    const model = naiveBayesTextClassifier();
    model.importJSON(this.learnings);
    return TextClassifier.learnAll(model, examples);
  }

  classify(text: string): Classification<L> {
    const [best] = this.model.computeOdds(text);
    if (!best || best[1] === 0) return { label: undefined, confidence: 0 };
    // computeOdds answers log2 odds of the label against all others: back to a probability.
    const odds = 2 ** best[1];
    return { label: best[0] as L, confidence: Number((odds / (1 + odds)).toFixed(3)) };
  }

  private static learnAll<L extends string>(model: NaiveBayesTextClassifier, examples: LabelledText<L>[]): TextClassifier<L> {
    model.definePrepTasks(PREPARATION as never);
    for (const example of examples) model.learn(example.text, example.label);
    const learnings = model.exportJSON();
    model.consolidate();
    return new TextClassifier<L>(model, learnings);
  }
}

/** The distinct stemmed words of a text, in order of appearance (stop words dropped). */
export function keywords(text: string): string[] {
  return [...new Set(stemTokens(nlp.tokens.removeWords(nlp.string.tokenize0(nlp.string.lowerCase(text)))))].filter((word) => /^\p{L}{3,}$/u.test(word));
}
