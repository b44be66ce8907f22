// Runs every benchmark in turn (`deno task bench`), each in its own process so they do not disturb each other.

const BENCHES = [
  ["The gateway as a user runs it (own process, real Prosody, wrk)", "e2e.ts"],
  ["XML parser (in-process)", "xml_parser.ts"],
  ["JSON mapping (in-process)", "jsonmap.ts"],
  ["REST sending (gateway inside the bench process, real Prosody)", "rest.ts"],
  ["Webhooks (gateway inside the bench process, real Prosody)", "webhook.ts"],
  ["SSE: clients held, fan-out (own process, real Prosody)", "sse.ts"],
  ["10,000 idle connections held while serving (own process)", "idle.ts"],
  [
    "Several instances (own processes, PostgreSQL, ejabberd, Prosody)",
    "cluster.ts",
  ],
] as const;

const only = Deno.args;
let failed = 0;
for (const [title, file] of BENCHES) {
  if (only.length > 0 && !only.some((name) => file.startsWith(name))) continue;
  // deno-lint-ignore no-console
  console.log(`\n## ${title} (bench/${file})\n`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL(file, import.meta.url).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
}
Deno.exit(failed === 0 ? 0 : 1);
