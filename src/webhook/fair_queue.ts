// Sync-mode waiting line for webhook slots: FIFO per conversation, round-robin across conversations (pure data).

/**
 * Jobs waiting for a free slot. Each conversation keeps its own FIFO;
 * `next()` takes from the conversations in turn, skipping those already at
 * their cap of slots, so one busy conversation cannot hold the others back.
 */
export class FairQueue<T> {
  #lines = new Map<string, T[]>();
  #size = 0;

  /** Jobs waiting. */
  get size(): number {
    return this.#size;
  }

  /** Adds a job at the end of its conversation's line. */
  push(conversation: string, job: T): void {
    const line = this.#lines.get(conversation);
    if (line) line.push(job);
    else this.#lines.set(conversation, [job]);
    this.#size++;
  }

  /** Removes a job (e.g. its deadline passed while waiting); false when absent. */
  remove(conversation: string, job: T): boolean {
    const line = this.#lines.get(conversation);
    const index = line?.indexOf(job) ?? -1;
    if (!line || index === -1) return false;
    line.splice(index, 1);
    if (line.length === 0) this.#lines.delete(conversation);
    this.#size--;
    return true;
  }

  /**
   * Takes the first job of the first conversation `allowed` admits, and
   * moves that conversation to the back of the turn order.
   */
  next(
    allowed: (conversation: string) => boolean,
  ): { conversation: string; job: T } | undefined {
    for (const [conversation, line] of this.#lines) {
      if (!allowed(conversation)) continue;
      const job = line.shift()!;
      this.#lines.delete(conversation);
      if (line.length > 0) this.#lines.set(conversation, line);
      this.#size--;
      return { conversation, job };
    }
    return undefined;
  }
}
