// The wire layer: stanzas in HTTP bodies, for both directions (REST API and webhooks) and for events.

export {
  type BodyFormat,
  formatOfMediaType,
  MEDIA_TYPES,
  type MediaType,
  mediaTypeOf,
  type RequestFormat,
  requestFormatOf,
  STANZA_FORMATS,
  type StanzaFormat,
} from "./media.ts";
export {
  chooseFormat,
  defaultOutputFormat,
  firstListedFormat,
  type MediaRange,
  negotiate,
  negotiateError,
  parseAccept,
} from "./accept.ts";
export {
  type BodySource,
  type CappedRead,
  concatBytes,
  readCapped,
} from "./read.ts";
export {
  bodyStanza,
  decodeBody,
  type DecodedBody,
  type DecodeOptions,
  decodeUtf8,
  jsonStanza,
  textMessage,
  type WireFailure,
  type WireResult,
} from "./decode.ts";
export { encodeStanza, encodeStanzas } from "./encode.ts";
