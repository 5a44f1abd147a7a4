// The wink packages ship no type declarations: these cover the part of their API the offline provider uses.
declare module 'wink-naive-bayes-text-classifier' {
  type PrepTask = (input: never) => unknown;
  export interface NaiveBayesTextClassifier {
    defineConfig(config: { considerOnlyPresence?: boolean; smoothingFactor?: number }): boolean;
    definePrepTasks(tasks: PrepTask[]): number;
    learn(input: string, label: string): boolean;
    consolidate(): boolean;
    /** [label, log2 odds] pairs, best first; [['unknown', 0]] when no word of the input was ever seen. */
    computeOdds(input: string): Array<[string, number]>;
    exportJSON(): string;
    importJSON(json: string): boolean;
  }
  export default function naiveBayesTextClassifier(): NaiveBayesTextClassifier;
}

declare module 'wink-nlp-utils' {
  const utils: {
    string: { lowerCase(text: string): string; tokenize0(text: string): string[] };
    tokens: { removeWords(tokens: string[]): string[]; stem(tokens: string[]): string[] };
  };
  export default utils;
}
