// JSON mapping: fields shared by all kinds (XEP-0172 nick, XEP-0203 delay, XEP-0335 payload) (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const commonCodecs: readonly FieldCodec[] = [];
