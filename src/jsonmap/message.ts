// JSON mapping: XEP-0085/0071/0066/0308/... message fields (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const messageCodecs: readonly FieldCodec[] = [];
