// JSON mapping: XEP-0050 ad-hoc commands (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const commandCodecs: readonly FieldCodec[] = [];
