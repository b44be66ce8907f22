// JSON mapping: XEP-0059 result set management (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const rsmCodecs: readonly FieldCodec[] = [];
