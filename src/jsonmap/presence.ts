// JSON mapping: RFC 6121 presence fields and XEP-0045/0115/0153/0319 (spec/mod_rest.md section 6).

import type { FieldCodec } from "./types.ts";

/** Codecs of this file. */
export const presenceCodecs: readonly FieldCodec[] = [];
