import assert from "node:assert/strict";
import { randomBase64url } from "../../src/xmpp/random_id.ts";

Deno.test("randomBase64url gives 4 url-safe characters per 3 bytes, unique across pool refills", () => {
  const cases: [bytes: number, length: number][] = [[3, 4], [12, 16], [
    18,
    24,
  ]];
  for (const [bytes, length] of cases) {
    const seen = new Set<string>();
    // More ids than one pool of random bytes holds: refills are crossed.
    for (let i = 0; i < 3000; i++) {
      const id = randomBase64url(bytes);
      assert.match(id, /^[A-Za-z0-9_-]+$/);
      assert.equal(id.length, length);
      seen.add(id);
    }
    if (bytes >= 12) assert.equal(seen.size, 3000, `${bytes} bytes`);
  }
});
