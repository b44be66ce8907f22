// mod_rest sending API end to end over every installed XMPP server (cases in rest_cases.ts, rest_error_cases.ts, rest_vector_cases.ts).

import { startGatewayEnv } from "../support/gateway_env.ts";
import { forEachServer } from "../support/xmpp_server.ts";
import { SENDING_CASES } from "./rest_cases.ts";
import { OUTAGE_CASES, REFUSAL_CASES } from "./rest_error_cases.ts";
import {
  connectParty,
  type RestContext,
  type RestGroup,
} from "./rest_support.ts";
import { VECTOR_CASES } from "./rest_vector_cases.ts";

/** Each group gets a fresh server, gateway and alice; its cases run in order as steps. */
const GROUPS: readonly RestGroup[] = [
  { name: "sending", cases: SENDING_CASES },
  { name: "refused requests", cases: REFUSAL_CASES },
  { name: "golden vectors", cases: VECTOR_CASES },
  { name: "stream outage", cases: OUTAGE_CASES },
];

forEachServer("REST sending API", (kind) => {
  for (const group of GROUPS) {
    Deno.test(`REST sending API over ${kind.name}: ${group.name}`, async (t) => {
      await using server = await kind.start();
      await using env = await startGatewayEnv(server);
      await using alice = await connectParty(server, "alice");
      const ctx: RestContext = { server, env, alice };
      for (const c of group.cases) {
        await t.step(c.name, () => c.run(ctx));
      }
    });
  }
});
