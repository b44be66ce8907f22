// Test support: process and port helpers shared by the real-server harnesses (free loopback ports, readiness polls, child output).

/** The path of `name` on the PATH, if any. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "" && isFile(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

/** True when `path` is a regular file. */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** A random component secret (24 hex digits). */
export function randomSecret(): string {
  return crypto.getRandomValues(new Uint8Array(12)).toHex();
}

/** Ports the kernel just handed out (closed again, so a small race remains; start() retries). */
export function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}

/** True when 127.0.0.1:`port` accepts a TCP connection. */
export async function accepts(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** The file's text, or undefined when it cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

/** The file's size in bytes (0 when missing). */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** The promise's value, or undefined if it takes longer than `ms` (the timer is cleared either way). */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) =>
        timer = setTimeout(() => resolve(undefined), ms)
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The last 4000 characters of the child's stdout and stderr. */
export async function collect(child: Deno.ChildProcess): Promise<string> {
  const [out, err] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return (out + err).slice(-4000);
}
