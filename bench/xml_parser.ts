// Benchmark of the RFC 6120 section 11 stream parser: throughput for small chat stanzas and for 50 KB stanzas.
// Run: deno run -A bench/xml_parser.ts [--rounds N]
// deno-lint-ignore-file no-console

import { XmlStreamParser } from "../src/xml/parser.ts";

const HEADER = "<stream:stream xmlns='jabber:component:accept' " +
  "xmlns:stream='http://etherx.jabber.org/streams' from='rest.example' id='x1'>";

function smallStanza(i: number): string {
  return `<message from='juliet@capulet.example/balcony' to='romeo@montague.example' ` +
    `type='chat' id='msg-${i}' xml:lang='en'><body>Art thou not Romeo, and a Montague? ` +
    `&amp; more text number ${i} é</body><active xmlns='http://jabber.org/protocol/chatstates'/>` +
    `<request xmlns='urn:xmpp:receipts'/></message>`;
}

function largeStanza(i: number): string {
  const items: string[] = [];
  let size = 0;
  for (let k = 0; size < 50_000; k++) {
    const item =
      `<item jid='user${k}@example.org' name='User &amp; number ${k}' ` +
      `subscription='both'><group>Friends</group><group>Group ${
        k % 7
      }</group></item>`;
    items.push(item);
    size += item.length;
  }
  return `<iq type='result' id='roster-${i}' to='a@b/c'><query xmlns='jabber:iq:roster'>` +
    items.join("") + `</query></iq>`;
}

function chunk(bytes: Uint8Array, min: number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let seed = 42;
  for (let i = 0; i < bytes.length;) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = min + (seed % (max - min + 1));
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

interface Result {
  mbPerSecond: number;
  stanzasPerSecond: number;
}

function run(
  chunks: Uint8Array[],
  totalBytes: number,
  stanzas: number,
): Result {
  const parser = new XmlStreamParser({ maxStanzaBytes: 1 << 20 });
  const start = performance.now();
  let seen = 0;
  for (const c of chunks) seen += parser.push(c).length;
  const ms = performance.now() - start;
  if (seen !== stanzas + 1) {
    throw new Error(`expected ${stanzas + 1} events, got ${seen}`);
  }
  return {
    mbPerSecond: totalBytes / 1e6 / (ms / 1000),
    stanzasPerSecond: stanzas / (ms / 1000),
  };
}

function scenario(
  name: string,
  stanza: (i: number) => string,
  count: number,
  rounds: number,
) {
  const parts = [HEADER];
  for (let i = 0; i < count; i++) parts.push(stanza(i));
  const bytes = new TextEncoder().encode(parts.join(""));
  const chunks = chunk(bytes, 4096, 16384);
  const avg = Math.round(bytes.length / count);
  run(chunks, bytes.length, count); // warm-up
  const results: Result[] = [];
  for (let r = 0; r < rounds; r++) {
    results.push(run(chunks, bytes.length, count));
  }
  results.sort((a, b) => b.stanzasPerSecond - a.stanzasPerSecond);
  const best = results[0];
  const median = results[Math.floor(results.length / 2)];
  console.log(
    `${name}: ${count} stanzas of ~${avg} bytes in 4-16 KiB chunks\n` +
      `  best   ${best.mbPerSecond.toFixed(1)} MB/s, ${
        Math.round(best.stanzasPerSecond).toLocaleString("en")
      } stanzas/s\n` +
      `  median ${median.mbPerSecond.toFixed(1)} MB/s, ${
        Math.round(median.stanzasPerSecond).toLocaleString("en")
      } stanzas/s`,
  );
}

const roundsArg = Deno.args.indexOf("--rounds");
const rounds = roundsArg === -1 ? 7 : Number(Deno.args[roundsArg + 1]);
scenario("small", smallStanza, 100_000, rounds);
scenario("large", largeStanza, 200, rounds);
