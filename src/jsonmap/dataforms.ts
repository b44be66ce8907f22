// JSON mapping: XEP-0004 data forms (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const dataformCodecs: readonly FieldCodec[] = [];
