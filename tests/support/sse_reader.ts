// Test support: reads a text/event-stream body into parsed blocks (HTML Living Standard section 9.2.6 "Interpreting an event stream").

/** One dispatched event, or a comment. */
export interface SseBlock {
  /** `id:` value ("" when absent). */
  readonly id: string;
  /** `event:` value ("" when absent). */
  readonly event: string;
  /** `data:` lines joined with LF. */
  readonly data: string;
  /** Comment lines (without the colon). */
  readonly comments: readonly string[];
}

/** Reads blocks from a stream body one at a time. */
export class SseReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  #buffer = "";

  /** Wraps a body. */
  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next block with an id (events only); comments and `retry:` are skipped. Undefined at the end. */
  async nextEvent(timeoutMs = 10_000): Promise<SseBlock | undefined> {
    for (;;) {
      const block = await this.next(timeoutMs);
      if (block === undefined || block.id !== "") return block;
    }
  }

  /** The next block of any sort; undefined at the end of the stream. */
  async next(timeoutMs = 10_000): Promise<SseBlock | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end !== -1) {
        const text = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return parseBlock(text);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        this.#reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`No SSE data within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) return undefined;
      this.#buffer += this.#decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Disconnects. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

function parseBlock(text: string): SseBlock {
  let id = "";
  let event = "";
  const data: string[] = [];
  const comments: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) comments.push(line.slice(1).trim());
    else if (line.startsWith("id: ")) id = line.slice(4);
    else if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  return { id, event, data: data.join("\n"), comments };
}
