// Test support: the golden vectors recorded from Prosody's mod_rest (tests/fixtures/vectors/README.md), typed and loaded once.

/** How a vector was recorded. */
export type VectorVia = "post" | "callback" | "iq-response" | "callback-reply";

/** One recorded case; which fields are present depends on `via`. */
export interface Vector {
  /** Case name (also the file name without `.json`). */
  name: string;
  /** Conversion direction. */
  direction: "json->xml" | "xml->json";
  /** How it was recorded. */
  via: VectorVia;
  /** What went in (JSON, or an XML string). */
  input: unknown;
  /** What came out (JSON, or an XML string). */
  output: unknown;
  /** `output` in canonical XML form (post vectors). */
  output_canonical?: string | null;
  /** The stanza as the server routed it to the component (callback vectors). */
  routed_xml?: string;
  /** Headers of the webhook request (callback vectors). */
  callback_headers?: Record<string, string>;
  /** What the client received back. */
  client_received?: string[];
  /** How the recording's webhook answered. */
  webhook_reply?: { status: number; content_type?: string; json?: unknown };
  /** The request POSTed before the reply (iq-response vectors). */
  request?: Record<string, unknown> & { to?: string };
  /** The stanza a callback-reply vector answered. */
  request_stanza?: string;
  /** Content type of a callback-reply answer. */
  input_content_type?: string;
  /** mod_rest's HTTP answer. */
  http?: {
    status: number;
    content_type?: string | null;
    json?: Record<string, unknown>;
    body?: string;
  };
  /** What `POST /rest/echo` returned. */
  echo_xml?: unknown;
}

/** A vector with its file name and raw text (for runners that rewrite addresses before parsing). */
export interface VectorFile {
  /** File name, e.g. `j2x-message-body.json`. */
  file: string;
  /** The file's text. */
  text: string;
  /** The parsed vector. */
  vector: Vector;
}

const DIR = new URL("../fixtures/vectors/", import.meta.url);

/** Every vector (optionally only those recorded `via` one of the given ways), sorted by file name. */
export function loadVectors(...via: VectorVia[]): VectorFile[] {
  const out: VectorFile[] = [];
  for (const entry of Deno.readDirSync(DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const text = Deno.readTextFileSync(new URL(entry.name, DIR));
    const vector = JSON.parse(text) as Vector;
    if (via.length === 0 || via.includes(vector.via)) {
      out.push({ file: entry.name, text, vector });
    }
  }
  return out.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}
