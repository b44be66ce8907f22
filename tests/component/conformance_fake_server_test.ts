// XEP-0114 conformance over TCP to the scripted fake server on 127.0.0.1:0.

import { defineConformanceSuite } from "./conformance_cases.ts";
import { fakeBackend } from "./fake_backend.ts";

defineConformanceSuite("TCP to the fake server", () => fakeBackend("tcp"));
