// RFC 9112 and RFC 9110: how a refused request head is answered: a status and a sentence naming the problem, quoting only printable text.

/** Why a request head is refused: the status to answer and a text naming the problem. */
export interface HeadError {
  /** 400, 414, 417, 431, 501 or 505. */
  readonly status: number;
  /** A sentence for the client. */
  readonly text: string;
}

/** `text` safe to quote in an error: printable ASCII only (others become "?"), at most 40 characters. */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
}
