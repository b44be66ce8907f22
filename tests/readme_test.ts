// The README's server snippets are the configurations the tests run against.

import assert from "node:assert/strict";

const read = (path: string) =>
  Deno.readTextFile(new URL(path, import.meta.url));

/** Significant lines (no comments, no blanks), trimmed. */
function settingLines(text: string): string[] {
  return text.split("\n").map((l) => l.trim().replace(/^- /, ""))
    .filter((l) => l !== "" && l !== "-" && !l.startsWith("#"));
}

Deno.test({
  name: "README's ejabberd listener is the one tests/support/ejabberd.yml uses",
  permissions: { read: true },
  async fn() {
    const readme = await read("../README.md");
    const block = /```yaml\n(listen:[\s\S]*?ejabberd_service[\s\S]*?)```/.exec(
      readme,
    )?.[1];
    assert.ok(block, "README has an ejabberd_service yaml block");
    const template = settingLines(await read("./support/ejabberd.yml"));
    const listener = template.slice(
      template.indexOf("module: ejabberd_service") - 2,
    );
    const snippet = settingLines(block).slice(1); // without "listen:"
    // Same keys and values, in order, up to the per-domain entries.
    const keysOf = (lines: string[]) =>
      lines.slice(0, lines.indexOf("hosts:") + 1);
    assert.deepEqual(
      keysOf(snippet).map((l) => l.replace(/port: \d+/, "port: PORT")),
      keysOf(listener).map((l) =>
        l.replace(/port: \{\{COMPONENT_PORT\}\}/, "port: PORT")
      ),
    );
  },
});

Deno.test({
  name: "README's Prosody component declaration matches the test config's form",
  permissions: { read: true },
  async fn() {
    const readme = await read("../README.md");
    assert.match(
      readme,
      /Component "rest\.example\.net"\n\s+component_secret = "/,
    );
    const harness = await read("./support/prosody.ts");
    assert.match(
      harness,
      /`Component \$\{lua\(domain\)\}\\n {2}component_secret = /,
    );
  },
});
