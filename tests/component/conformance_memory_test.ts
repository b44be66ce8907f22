// XEP-0114 conformance over an in-memory pipe to the fake server (no sockets).

import { defineConformanceSuite } from "./conformance_cases.ts";
import { fakeBackend } from "./fake_backend.ts";

defineConformanceSuite("an in-memory pipe", () => fakeBackend("memory"));
