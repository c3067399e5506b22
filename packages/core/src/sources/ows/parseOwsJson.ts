/**
 * JSON.parse for OWS records whose numbers must stay exact. JSON.parse rounds a number of more than 15 significant
 * digits to the nearest double before any decoder sees it (`80000000000000.01` becomes …02 tiyn;
 * `1.0000000000000001` becomes 1). Such a number is kept as its source text, which `decodeRecord`'s field parsers
 * read exactly: money to the tiyn or rejected for its precision, an integer named when it is beyond 2^53 − 1, text
 * as written. Parse OWS JSON with this before `decodeRecord`; the folder readers do.
 */

// A number of 16 or more significant digits spans at least 16 characters of digits and one point. The test also
// matches long digit strings inside texts (bank accounts): those texts only take the slower parse below.
const MAYBE_LONG_NUMBER = /[\d.]{16,}/u

const significantDigits = (source: string): number => {
  const mantissa = source.replace(/^-/u, "").split(/[eE]/u)[0] ?? ""
  return mantissa.replace(".", "").replace(/^0+/u, "").length
}

// The reviver's third argument (the value's source text) is ES2025's JSON.parse source text access, in V8 since
// Node 21; without it the number is kept as parsed.
const keepLongNumbers = (_key: string, value: unknown, context?: { readonly source?: string }): unknown =>
  typeof value === "number" && context?.source !== undefined && significantDigits(context.source) > 15
    ? context.source
    : value

/** `JSON.parse(text)`, except that numbers of more than 15 significant digits come back as their source text. */
export const parseOwsJson = (text: string): unknown =>
  MAYBE_LONG_NUMBER.test(text) ? JSON.parse(text, keepLongNumbers) : JSON.parse(text)
