// cli.ts and the library must stay `deno compile`-safe: static imports (or a dynamic import of a literal relative path, which `deno compile` still embeds), no files located through import.meta.url, npm only in the one driver file.

import assert from "node:assert/strict";

/** The one file that may import an npm package: the PostgreSQL driver, loaded only for `--store postgres://...`. */
const NPM_IMPORTERS: Readonly<Record<string, RegExp>> = {
  "src/store/postgres_client.ts": /^pg$/,
};

async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sources(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test({
  name:
    "src/, mod.ts and cli.ts import statically or by literal relative path, read no files next to the code, use npm only for the PostgreSQL driver",
  permissions: { read: true },
  async fn() {
    const root = new URL("../", import.meta.url);
    const files = [new URL("mod.ts", root), new URL("cli.ts", root)];
    for await (const file of sources(new URL("src/", root))) files.push(file);
    assert.ok(files.length > 20);
    for (const file of files) {
      const code = await Deno.readTextFile(file);
      const name = file.pathname.slice(root.pathname.length);
      for (const match of code.matchAll(/\bimport\s*\(/g)) {
        assert.match(
          code.slice(match.index),
          /^import\s*\(\s*"\.\.?\/[^"]+"\s*\)/,
          `${name}: dynamic import of something else than a literal relative path`,
        );
      }
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
        if (NPM_IMPORTERS[name]?.test(match[1])) continue;
        assert.match(
          match[1],
          /^(\.\.?\/|node:)/,
          `${name}: third-party import ${match[1]}`,
        );
      }
    }
  },
});
