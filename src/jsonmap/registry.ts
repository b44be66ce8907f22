// All field codecs of the JSON mapping (README "JSON mapping reference"), in output order.

import type { FieldCodec } from "./types.ts";
import { messageCodecs } from "./message.ts";
import { presenceCodecs } from "./presence.ts";
import { commonCodecs } from "./common.ts";
import { iqCodecs } from "./iq.ts";
import { discoCodecs } from "./disco.ts";
import { commandCodecs } from "./commands.ts";
import { archiveCodecs } from "./archive.ts";
import { dataformCodecs } from "./dataforms.ts";
import { rsmCodecs } from "./rsm.ts";

/** Every registered codec. */
export const CODECS: readonly FieldCodec[] = [
  ...messageCodecs,
  ...presenceCodecs,
  ...commonCodecs,
  ...iqCodecs,
  ...discoCodecs,
  ...commandCodecs,
  ...archiveCodecs,
  ...dataformCodecs,
  ...rsmCodecs,
];
