/**
 * Text PostgreSQL keeps as written. `text` cannot hold NUL (U+0000), and the drivers send a lone UTF-16 surrogate as
 * U+FFFD, so what is stored or matched would not be what was given. Every store and request check reads it here.
 */
export const LONE_SURROGATE = /\p{Cs}/u

/** What keeps `text` from being stored as written ("the NUL character (U+0000)" …), or undefined. */
export const unstorableInText = (text: string): string | undefined =>
  text.includes("\u0000")
    ? "the NUL character (U+0000)"
    : LONE_SURROGATE.test(text)
      ? "a lone UTF-16 surrogate"
      : undefined
