// README "Receiving (webhooks)" end to end: every case of webhook_cases.ts over every installed XMPP server.

import { forEachServer } from "../support/xmpp_server.ts";
import { WEBHOOK_CASES } from "./webhook_cases.ts";

// One server per kind for all cases (ejabberd takes seconds to start); each
// case brings its own webhook stub, gateway and alice session.
forEachServer("webhook end to end", (kind) => {
  Deno.test(`webhook e2e over ${kind.name}`, async (t) => {
    await using server = await kind.start();
    for (const c of WEBHOOK_CASES) {
      await t.step(c.name, (t) => c.run(server, t));
    }
  });
});
