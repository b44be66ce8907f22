// JSON mapping: XEP-0030 disco#info and disco#items, XEP-0128 extensions (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const discoCodecs: readonly FieldCodec[] = [];
