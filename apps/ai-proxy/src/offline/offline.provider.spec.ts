import { describe, expect, it } from 'vitest';
import type { AiTrainingExample } from '@helpdesk/contracts';
import type { ProviderContext } from '../providers/ai-provider.js';
import { OfflineProvider } from './offline.provider.js';
import { TextClassifier } from './text-classifier.js';
import { corpusSplit, TRAINING_CORPUS } from './training-corpus.js';

/** The held-out accuracy the shipped classifier must keep (7 categories: chance is about 14%). */
const ACCURACY_FLOOR = 0.7;

const context = (examples: AiTrainingExample[] = []): ProviderContext => ({ orgId: '00000000-0000-4000-8000-000000000001', trainingExamples: async () => examples });

describe('offline provider', () => {
  const provider = new OfflineProvider();

  it('ships a labelled corpus of a few hundred tickets over every category, with a held-out fifth', () => {
    const { train, test } = corpusSplit();
    expect(TRAINING_CORPUS.length).toBeGreaterThanOrEqual(250);
    expect(test.length).toBe(Math.floor(TRAINING_CORPUS.length / 5));
    expect(new Set(test.map((ticket) => ticket.category)).size).toBe(7);
    expect(train.some((ticket) => test.includes(ticket))).toBe(false);
  });

  it(`classifies held-out tickets into the right category at least ${ACCURACY_FLOOR * 100}% of the time`, () => {
    const { test } = corpusSplit();
    const correct = test.filter((ticket) => provider.shippedCategoryClassifier.classify(ticket.text).label === ticket.category).length;
    const accuracy = correct / test.length;
    console.info(`offline triage accuracy on ${test.length} held-out tickets: ${(accuracy * 100).toFixed(1)}% (floor ${ACCURACY_FLOOR * 100}%)`);
    expect(accuracy).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
  });

  it('triages a ticket with category, priority, sentiment, language and tags, each with a confidence', async () => {
    const triage = await provider.triage(context(), { subject: 'Charged twice', text: 'I was charged twice for my subscription, this is terrible. Please refund the duplicate payment.' });
    expect(triage).toMatchObject({ provider: 'offline', category: { value: 'billing' }, sentiment: { value: 'negative' }, language: { value: 'en' } });
    expect(['low', 'normal', 'high', 'urgent']).toContain(triage.priority.value);
    for (const scored of [triage.category, triage.priority, triage.sentiment, triage.language, ...triage.tags]) {
      expect(scored.confidence).toBeGreaterThan(0);
      expect(scored.confidence).toBeLessThanOrEqual(1);
    }
    expect(triage.tags.length).toBeGreaterThan(0);
  });

  it('detects the language of a German ticket', async () => {
    const triage = await provider.triage(context(), { subject: 'Paket fehlt', text: 'Meine Bestellung ist noch nicht angekommen und die Sendungsverfolgung funktioniert nicht.' });
    expect(triage.language.value).toBe('de');
  });

  it("learns an organization's own category words from its labelled resolved tickets", async () => {
    const ticket = { subject: 'Zorblax', text: 'The zorblax module is acting up again' };
    const before = await provider.triage(context(), ticket);
    expect(before.category.value).not.toBe('shipping');
    const examples = Array.from({ length: 6 }, (_, index) => ({ text: `Zorblax module problem number ${index}`, category: 'shipping' as const }));
    const learned = await new OfflineProvider().triage(context(examples), ticket);
    expect(learned.category.value).toBe('shipping');
  });

  it('extends a classifier without changing the one it came from', () => {
    const base = TextClassifier.train(corpusSplit().train.map((ticket) => ({ text: ticket.text, label: ticket.category })));
    const extended = base.extend(Array.from({ length: 6 }, () => ({ text: 'quux zorp', label: 'bug' as const })));
    expect(extended.classify('quux zorp').label).toBe('bug');
    expect(base.classify('quux zorp').label).toBeUndefined();
  });

  it('summarizes a conversation by extracting its central sentences, with who said them', async () => {
    const summary = await provider.summarize(context(), {
      subject: 'Invoice wrong',
      messages: [
        { author: 'requester', internal: false, text: 'My invoice for March shows the wrong amount. The invoice lists 12 seats but we only have 10 seats. Nice weather today.' },
        { author: 'staff', internal: true, text: 'Checked billing: the invoice counted two deactivated seats.' },
        { author: 'staff', internal: false, text: 'We will correct the invoice and credit the two seats.' },
      ],
    });
    expect(summary.summary.split('\n').length).toBeLessThanOrEqual(3);
    expect(summary.summary).toContain('invoice');
    expect(summary.summary).not.toContain('Nice weather');
    expect(summary.summary).toMatch(/^(Customer|Agent|Internal note): /);
  });

  it("drafts a reply by category in the requester's language, falling back to English", async () => {
    const german = await provider.suggestReply(context(), { subject: 'Paket', messages: [{ author: 'requester', internal: false, text: 'Mein Paket ist nicht angekommen, wo ist meine Bestellung?' }] });
    expect(german).toMatchObject({ provider: 'offline', language: 'de' });
    expect(german.reply).toContain('Sendung');
    const italian = await provider.suggestReply(context(), { subject: 'Fattura', messages: [{ author: 'requester', internal: false, text: 'Buongiorno, la fattura di marzo non è corretta, per favore controllate.' }] });
    expect(italian.language).toBe('en');
    expect(italian.reply).toContain('Fattura');
  });
});
