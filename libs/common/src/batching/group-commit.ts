interface Waiting<TItem, TResult> {
  item: TItem;
  resolve(result: TResult): void;
  reject(error: unknown): void;
}

/**
 * Merges concurrent writes into one round trip ("group commit"): calls made while a batch is in
 * flight wait for it and go together in the next, so batches grow with the load and add no delay
 * when idle. Each caller still gets its own result or error. Hand-written because DataLoader, the
 * usual library, batches only the calls of one tick, which under a steady stream of events and jobs
 * is mostly one call per batch.
 */
export class GroupCommit<TItem, TResult> {
  private waiting: Array<Waiting<TItem, TResult>> = [];
  private flushing = false;

  /** `writeBatch` answers one result per item, in the items' order. */
  constructor(
    private readonly writeBatch: (items: TItem[]) => Promise<TResult[]>,
    private readonly maxBatch = 100,
  ) {}

  submit(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Started in a microtask, so the calls made together (the mails of one event) share the first batch.
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const results = await this.writeBatch(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]!));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        // One bad item (a malformed event, say) must not fail the others with it: each is tried alone.
        else await Promise.all(batch.map((entry) => this.writeBatch([entry.item]).then(([result]) => entry.resolve(result!), entry.reject)));
      }
    }
    this.flushing = false;
  }
}
