import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A batch writer that records its batches and answers each item doubled, refusing negative numbers. */
function doublingWriter() {
  const batches: number[][] = [];
  let release: (() => void) | undefined;
  let held = false;
  const writer = new GroupCommit(async (items: number[]) => {
    batches.push(items);
    if (held) await new Promise<void>((resolve) => (release = resolve));
    if (items.some((item) => item < 0)) throw new Error(`refused ${items.filter((item) => item < 0).join(',')}`);
    return items.map((item) => item * 2);
  });
  return {
    writer,
    batches,
    hold: () => (held = true),
    releaseBatch: () => {
      held = false;
      release?.();
    },
  };
}

describe('group commit', () => {
  it('writes the calls made together in one batch, each caller getting its own result', async () => {
    const { writer, batches } = doublingWriter();

    const results = await Promise.all([1, 2, 3].map((item) => writer.submit(item)));

    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers the calls made while a batch is in flight into the next batch', async () => {
    const { writer, batches, hold, releaseBatch } = doublingWriter();
    hold();
    const first = writer.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [writer.submit(2), writer.submit(3), writer.submit(4)];
    releaseBatch();

    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the caller whose item the writer refuses', async () => {
    const { writer } = doublingWriter();

    const outcomes = await Promise.allSettled([5, -1, 7].map((item) => writer.submit(item)));

    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('refused -1') },
      { status: 'fulfilled', value: 14 },
    ]);
  });

  it('caps a batch at its maximum size', async () => {
    const batches: number[][] = [];
    const writer = new GroupCommit(async (items: number[]) => {
      batches.push(items);
      return items;
    }, 2);

    await Promise.all([1, 2, 3, 4, 5].map((item) => writer.submit(item)));

    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });
});
