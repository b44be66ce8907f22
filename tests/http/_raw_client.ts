// A raw socket client for the HTTP engine tests: bytes exactly as written, answers exactly as sent.

import type { HttpServer } from "../../src/http/server.ts";

const encoder = new TextEncoder();

/** A raw HTTP/1.1 client on a socket: writes text, reads until a predicate holds or the peer closes (10 s at most). */
export async function rawClient(server: HttpServer) {
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.addr.port,
  });
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(65536);
  let text = "";
  let closed = false;
  return {
    conn,
    write: (data: string) => conn.write(encoder.encode(data)),
    /** Reads until `done(text)` or the peer closes; the text so far. */
    async read(done: (text: string) => boolean = () => false) {
      const timer = setTimeout(() => conn.close(), 10_000);
      try {
        while (!done(text) && !closed) {
          const n = await conn.read(buffer).catch(() => null);
          if (n === null) closed = true;
          else text += decoder.decode(buffer.subarray(0, n));
        }
      } finally {
        clearTimeout(timer);
      }
      return text;
    },
    get closed() {
      return closed;
    },
    close() {
      try {
        conn.close();
      } catch { /* closed */ }
    },
  };
}
