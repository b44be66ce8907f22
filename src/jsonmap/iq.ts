// JSON mapping: iq payloads (XEP-0199, 0092, 0039, 0012, 0066, 0100, 0077, 0215, 0363, 0191) (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const iqCodecs: readonly FieldCodec[] = [];
