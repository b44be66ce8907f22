// XEP-0114 component conformance cases, run unchanged over the in-memory pipe, the fake server and real servers.

import { handshakeCases, lifecycleCases } from "./conformance_stream_cases.ts";
import { stanzaCases } from "./conformance_stanza_cases.ts";
import type {
  ComponentBackend,
  ConformanceCase,
} from "./conformance_support.ts";

export {
  type ComponentBackend,
  type ConformanceCase,
  online,
  TEST_DEFAULTS,
} from "./conformance_support.ts";

/** Every case, in the order they run (a server restart comes last). */
export const conformanceCases: readonly ConformanceCase[] = [
  ...handshakeCases,
  ...stanzaCases,
  ...lifecycleCases,
];

/** Runs every case as a step of test `t` against `backend`. */
export async function runConformance(
  t: Deno.TestContext,
  backend: ComponentBackend,
): Promise<void> {
  for (const c of conformanceCases) {
    await t.step(c.name, () => c.run(backend));
  }
}

/** Registers one Deno test running every case as a step against `makeBackend()`. */
export function defineConformanceSuite(
  name: string,
  makeBackend: () => Promise<ComponentBackend>,
): void {
  Deno.test(`component conformance over ${name}`, async (t) => {
    await using backend = await makeBackend();
    await runConformance(t, backend);
  });
}
