// JSON mapping: XEP-0313 MAM query and fin on iq (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const archiveCodecs: readonly FieldCodec[] = [];
