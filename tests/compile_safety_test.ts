// cli.ts and the library must stay `deno compile`-safe: static imports only, no files located through import.meta.url.

import assert from "node:assert/strict";

async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sources(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test({
  name:
    "src/, mod.ts and cli.ts use static imports only and read no files next to the code",
  permissions: { read: true },
  async fn() {
    const root = new URL("../", import.meta.url);
    const files = [new URL("mod.ts", root), new URL("cli.ts", root)];
    for await (const file of sources(new URL("src/", root))) files.push(file);
    assert.ok(files.length > 20);
    for (const file of files) {
      const code = await Deno.readTextFile(file);
      const name = file.pathname.slice(root.pathname.length);
      assert.doesNotMatch(code, /\bimport\s*\(/, `${name}: dynamic import`);
      assert.doesNotMatch(
        code,
        /import\.meta\.(url|resolve|dirname|filename)/,
        `${name}: import.meta path`,
      );
      for (
        const match of code.matchAll(
          /^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm,
        )
      ) {
        assert.match(
          match[1],
          /^(\.\.?\/|node:)/,
          `${name}: third-party import ${match[1]}`,
        );
      }
    }
  },
});
