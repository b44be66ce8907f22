// RFC 9112 section 6 (message body) and RFC 9110 section 10.1.1 (100-continue): a request body read from the connection's buffer, by length or chunked.

import type { RequestHead } from "../http1/head.ts";
import { ChunkedDecoder } from "../http1/chunked.ts";
import { CONTINUE } from "../http1/response.ts";

/** A request body as the engine hands it to `new Request`. */
export interface RequestBody {
  /** The body: bytes, a stream, or null. */
  readonly value: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null;
  /** True once all of it was read (the connection can serve on). */
  complete(): boolean;
  /** Why the body is malformed, once found (answer 400). */
  failure(): string | undefined;
}

/** The connection's side: its read buffer and its writes. */
export interface BodyInput {
  /** The bytes read and not yet consumed. */
  available(): Uint8Array;
  /** Marks `n` available bytes as consumed. */
  consume(n: number): void;
  /** Reads more; false once the peer has closed. */
  more(): Promise<boolean>;
  /** Writes bytes (the interim 100 answer). */
  send(bytes: Uint8Array): Promise<boolean>;
}

const done = () => true;
const fine = () => undefined;

/** A request without a body. */
export const NO_BODY: RequestBody = {
  value: null,
  complete: done,
  failure: fine,
};

/** A body that was buffered whole with its head (the common case). */
export function bufferedBody(bytes: Uint8Array<ArrayBuffer>): RequestBody {
  return { value: bytes, complete: done, failure: fine };
}

const encoder = new TextEncoder();

/**
 * A body still arriving: a stream that reads from the connection as the
 * handler pulls it (sending `100 Continue` first when the client waits
 * for it); a chunked body is decoded, a malformed one fails the stream.
 */
export function streamedBody(head: RequestHead, input: BodyInput): RequestBody {
  const framing = head.body;
  let ended = false;
  let failure: string | undefined;
  let continued = !head.expectContinue;
  let remaining = framing.kind === "length" ? framing.length : 0;
  const chunked = framing.kind === "chunked" ? new ChunkedDecoder() : undefined;
  const stream = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (!continued) {
        continued = true;
        await input.send(encoder.encode(CONTINUE));
      }
      for (;;) {
        const available = input.available();
        if (available.byteLength > 0) {
          if (chunked === undefined) {
            const n = Math.min(remaining, available.byteLength);
            controller.enqueue(available.slice(0, n));
            input.consume(n);
            remaining -= n;
            if (remaining === 0) {
              ended = true;
              controller.close();
            }
            return;
          }
          const step = chunked.decode(available);
          if (step.kind === "error") {
            failure = step.text;
            controller.error(new TypeError(step.text));
            return;
          }
          input.consume(step.used);
          if (step.kind === "end") {
            ended = true;
            controller.close();
            return;
          }
          if (step.kind === "data") {
            controller.enqueue(step.data.slice());
            return;
          }
        }
        if (!await input.more()) {
          controller.error(
            new TypeError(
              "The client closed the connection before the body ended",
            ),
          );
          return;
        }
      }
    },
  }, { highWaterMark: 0 });
  return { value: stream, complete: () => ended, failure: () => failure };
}
