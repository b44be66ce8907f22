// The inbound owner (README "Receiving you can trust"): routing rules, the handler, its consumers.

export {
  conversationKey,
  type InboundRoute,
  inboundRoute,
  needsAnswer,
  toNewEvent,
} from "./rules.ts";
export {
  deliverStanza,
  type DeliveryContext,
  type StanzaHandler,
} from "./route.ts";
export {
  createInbound,
  type Inbound,
  type InboundConsumer,
  type InboundOptions,
} from "./inbound.ts";
export { syncConsumer, unhandledConsumer } from "./consumers.ts";
