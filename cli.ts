// deno-lint-ignore-file no-console
// Command-line entry point (placeholder until the CLI lands).
console.log("xmpp-rest: not yet");
