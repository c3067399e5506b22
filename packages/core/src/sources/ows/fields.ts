import { binProblem, type Bin } from "../../domain/Bin.ts"
import { parseTenge, type Tiyn } from "../../domain/Money.ts"
import { parseTimestamp } from "../../domain/AlmatyTime.ts"
import type { Instant } from "../../domain/Ids.ts"
import { LONE_SURROGATE } from "../../domain/storableText.ts"

/**
 * Field parsers for OWS records. A parser returns the value or a `Problem` naming the reason; the record decoder
 * adds the field name and the raw value. Hand-written rather than derived from Schema because this runs on
 * millions of records and each failure must name one field precisely.
 */
export class Problem {
  readonly reason: string
  constructor(reason: string) {
    this.reason = reason
  }
}

export type Parser<A> = (raw: unknown) => A | Problem

const isAbsent = (raw: unknown): raw is null | undefined | "" => raw === null || raw === undefined || raw === ""

export const nullable =
  <A>(parser: Parser<A>): Parser<A | null> =>
  (raw) =>
    isAbsent(raw) ? null : parser(raw)

/** A field that must hold a value: absent, null and "" are each refused with their own reason. */
export const required =
  <A>(parser: Parser<A>): Parser<A> =>
  (raw) =>
    raw === undefined
      ? new Problem("required field is missing")
      : raw === null
        ? new Problem("required field is null")
        : raw === ""
          ? new Problem("required field is empty")
          : parser(raw)

const INTEGER_TEXT = /^-?\d+$/u

/** An integer given as a JSON number or as digits in a string (both occur in OWS exports). */
export const integer: Parser<number> = (raw) => {
  const n =
    typeof raw === "number" ? raw : typeof raw === "string" && INTEGER_TEXT.test(raw.trim()) ? Number(raw) : Number.NaN
  if (Number.isSafeInteger(n)) return n
  // A whole number past 2^53 − 1 is an integer all the same, one no double holds exactly (JSON.parse has already
  // rounded it: the value shown is the rounded one).
  if (Number.isInteger(n)) return new Problem("integer beyond 2^53 − 1, which cannot be read exactly")
  return new Problem(`expected an integer, got ${typeof raw === "string" ? "text" : typeof raw}`)
}

export const positiveId =
  <B extends number>(): Parser<B> =>
  (raw) => {
    const n = integer(raw)
    if (n instanceof Problem) return n
    return n > 0 ? (n as B) : new Problem("id must be a positive integer")
  }

// With the u flag a string is read by code points, so a well-formed pair is one character, outside Cs.

/**
 * Text as given, or a number as JavaScript prints it. A NUL character (valid JSON as `\u0000`) cannot be stored in
 * a PostgreSQL text column, and a lone surrogate (`\ud800`) is no character at all: both are rejected here, so
 * that every path (in memory and into a database) rejects the same records, with their field named.
 */
export const text: Parser<string> = (raw) => {
  if (typeof raw === "number") return String(raw)
  if (typeof raw !== "string") return new Problem(`expected text, got ${typeof raw}`)
  if (raw.includes("\u0000")) return new Problem("text contains a NUL character (U+0000)")
  if (LONE_SURROGATE.test(raw)) return new Problem("text contains a lone UTF-16 surrogate, which is no character")
  return raw
}

export const money: Parser<Tiyn> = (raw) => {
  const parsed = parseTenge(raw)
  return typeof parsed === "string" ? new Problem(parsed) : parsed
}

export const instant: Parser<Instant> = (raw) => {
  const parsed = parseTimestamp(raw)
  return typeof parsed === "string" ? new Problem(parsed) : (parsed as Instant)
}

export const bin: Parser<Bin> = (raw) => {
  const value = typeof raw === "number" ? String(raw).padStart(12, "0") : raw
  if (typeof value !== "string") return new Problem(`expected a BIN as text, got ${typeof raw}`)
  const problem = binProblem(value.trim())
  return problem === undefined ? (value.trim() as Bin) : new Problem(problem)
}

/** OWS flags come as booleans, 0/1 or "0"/"1"; absent means false. */
export const flag: Parser<boolean> = (raw) => {
  if (isAbsent(raw) || raw === false || raw === 0 || raw === "0" || raw === "false") return false
  if (raw === true || raw === 1 || raw === "1" || raw === "true") return true
  return new Problem("expected a boolean flag (true/false or 0/1)")
}

export const kato: Parser<string> = (raw) => {
  const value = typeof raw === "number" ? String(raw) : raw
  if (typeof value !== "string" || !/^\d{2,9}$/u.test(value.trim()))
    return new Problem("KATO code must be 2 to 9 digits")
  return value.trim()
}
