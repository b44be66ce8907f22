// The version of xmpp-rest (kept equal to deno.json by a test).

/** The xmpp-rest version. */
export const VERSION = "0.1.0";
