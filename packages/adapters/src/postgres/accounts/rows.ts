/**
 * What the three account stores share: reading their rows the same way on the wire driver and on PGlite, and
 * telling apart lookups that cannot match anything from those worth sending to the database.
 */
import type { Instant } from "@adalqarau/core"
import { num, numOrNull, str, UnexpectedValue } from "../values.ts"

export type Row = Record<string, unknown>

export const instant = (value: unknown): Instant => num(value) as Instant

export const instantOrNull = (value: unknown): Instant | null => numOrNull(value) as Instant | null

/** A text[] column (both drivers decode one-dimensional arrays; an empty one may arrive as an empty array). */
export const textArray = (value: unknown): ReadonlyArray<string> => {
  if (!Array.isArray(value)) throw new UnexpectedValue("text array", value)
  return value.map(str)
}

/**
 * A jsonb column selected as `::text`. Reading the text rather than the driver's decoded value keeps a JSON
 * string value from being mistaken for unparsed JSON, and behaves the same on both drivers.
 */
export const jsonText = (value: unknown): unknown => JSON.parse(str(value))

export const jsonTextOrNull = (value: unknown): unknown =>
  value === null || value === undefined ? null : jsonText(value)

/**
 * User ids are UUIDs in PostgreSQL's canonical form (lower-case, hyphenated), exactly as the store hands them out.
 * Any other string names no user; checking here keeps such a lookup from failing as an invalid uuid cast, and
 * keeps other spellings of the same UUID (upper case, braces) from finding a user under an id it was never given.
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u

export const isStoredUserId = (id: string): boolean => CANONICAL_UUID.test(id)

/** PostgreSQL text cannot hold NUL, so a key containing one matches no stored row (and cannot be sent). */
export const cannotBeStored = (text: string): boolean => text.includes("\u0000")

/** A run id the database could hold: ids are positive bigints within JavaScript's safe integers. */
export const isStoredRunId = (id: number): boolean => Number.isSafeInteger(id) && id > 0

/**
 * A LIMIT as the in-memory stores' `slice(0, limit)` reads a non-negative limit: fractions truncate, NaN takes
 * nothing, Infinity everything. (A negative limit, which no caller passes, takes nothing here.)
 */
export const limitOf = (limit: number): number =>
  limit === Number.POSITIVE_INFINITY
    ? Number.MAX_SAFE_INTEGER
    : Number.isNaN(limit)
      ? 0
      : Math.max(0, Math.trunc(limit))
