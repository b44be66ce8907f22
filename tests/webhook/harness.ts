// A webhook wired to a fake fetch, a fake port, a recording logger and hand-fired timeouts.

import { createWebhook, type Webhook } from "../../src/webhook/delivery.ts";
import type { WebhookOptions } from "../../src/webhook/options.ts";
import { FakePort } from "../support/fake_port.ts";
import { counterIds } from "./support.ts";
import {
  type FakeFetch,
  fakeFetch,
  type FetchAnswer,
  manualTimeouts,
  type RecordedRequest,
  recordingLogger,
} from "./fake_fetch.ts";

/** Everything a delivery test looks at. */
export interface Harness {
  port: FakePort;
  fake: FakeFetch;
  logger: ReturnType<typeof recordingLogger>;
  timeouts: ReturnType<typeof manualTimeouts>;
  webhook: Webhook;
}

/** Creates a webhook for `http://api.example/hook/{kind}/{type}/{to}` answering with `handler`. */
export function setup(
  handler: (r: RecordedRequest) => FetchAnswer | Promise<FetchAnswer>,
  options: Partial<WebhookOptions> = {},
): Harness {
  const port = new FakePort("rest.example.net");
  const fake = fakeFetch(handler);
  const logger = recordingLogger();
  const timeouts = manualTimeouts();
  const webhook = createWebhook({
    callbackUrl: "http://api.example/hook/{kind}/{type}/{to}",
    xmpp: port,
    fetch: fake.fetch,
    logger,
    randomId: counterIds(),
    timeoutSignal: timeouts.timeoutSignal,
    version: "1.2.3",
    ...options,
  });
  return { port, fake, logger, timeouts, webhook };
}
