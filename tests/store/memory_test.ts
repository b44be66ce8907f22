// The store conformance suite over the in-memory back-end.

import { createMemoryStore } from "../../src/store/memory.ts";
import { defineStoreConformance } from "./conformance_cases.ts";

defineStoreConformance("memory", () => {
  const store = createMemoryStore();
  return Promise.resolve({
    store,
    [Symbol.asyncDispose]: () => store.close(),
  });
});
