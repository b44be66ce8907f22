// RFC 9110 section 6.4 (message content): read a webhook response body with a size cap.

/**
 * Reads at most `limit` bytes of a response body as UTF-8 text. A larger
 * body (by `Content-Length` or as it streams) is cancelled and reported in
 * `error` with an empty `body`. Read errors (abort, reset) propagate.
 *
 * @example
 * ```ts
 * await readBody(new Response("hello"), 3); // { body: "", error: "response body is larger than 3 bytes" }
 * ```
 */
export async function readBody(
  response: Response,
  limit: number,
): Promise<{ body: string; error?: string }> {
  if (!response.body) return { body: "" };
  const tooLarge = `response body is larger than ${limit} bytes`;
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > limit) {
    await response.body.cancel();
    return { body: "", error: tooLarge };
  }
  // The HTTP client stops at the declared length, so the body is bounded:
  // read it in one go (much cheaper than a reader loop).
  if (declared >= 0) return { body: await response.text() };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let total = 0;
  let body = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return { body: "", error: tooLarge };
    }
    body += decoder.decode(value, { stream: true });
  }
  return { body: body + decoder.decode() };
}
