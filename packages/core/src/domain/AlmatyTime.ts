/**
 * Time in goszakup data. OWS timestamps carry no zone ("2023-01-15 10:20:30"): they are wall-clock times in
 * Kazakhstan, which we read as Asia/Almaty. Values are kept as UTC instants (epoch milliseconds); business days
 * are calendar days in Asia/Almaty. The zone's offset changed (UTC+6 → UTC+5 on 2024-03-01), so offsets come
 * from the runtime's time-zone database, read once into a transition table, not from a constant.
 */
import { dayOfDate } from "./CivilDays.ts"
import { INSTANT_MAX } from "./instantRange.ts"

export const ZONE = "Asia/Almaty"

const MS_PER_SECOND = 1000
const MS_PER_MINUTE = 60_000
const MS_PER_DAY = 86_400_000
// From the earliest year the decoders accept: the Soviet-era summer offsets (+7) and local mean time (+05:07:48,
// until 1924) are in the table too, as in PostgreSQL's zone data, so both engines read old values alike. Before
// 1900 the first offset holds.
const TABLE_FROM = Date.UTC(1900, 0, 1)
const TABLE_TO = Date.UTC(2060, 0, 1)

const formatter = new Intl.DateTimeFormat("en-US", {
  timeZone: ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric"
})

/** Milliseconds east of UTC, exact to the second (local mean time had seconds). */
const intlOffsetMs = (utcMs: number): number => {
  const parts: Record<string, number> = {}
  for (const part of formatter.formatToParts(new Date(utcMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value)
  }
  const wall = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number
  )
  return wall - Math.floor(utcMs / MS_PER_SECOND) * MS_PER_SECOND
}

interface Transition {
  readonly at: number // UTC ms from which `offset` applies
  readonly offset: number // milliseconds east of UTC
}

let table: ReadonlyArray<Transition> | undefined

const transitions = (): ReadonlyArray<Transition> => {
  if (table !== undefined) return table
  const found: Array<Transition> = [{ at: Number.NEGATIVE_INFINITY, offset: intlOffsetMs(TABLE_FROM) }]
  const step = 7 * MS_PER_DAY
  let previous = found[0]!.offset
  for (let t = TABLE_FROM + step; t <= TABLE_TO; t += step) {
    const offset = intlOffsetMs(t)
    if (offset === previous) continue
    let lo = t - step
    let hi = t
    while (hi - lo > MS_PER_SECOND) {
      const mid = Math.floor((lo + hi) / 2 / MS_PER_SECOND) * MS_PER_SECOND
      if (intlOffsetMs(mid) === previous) lo = mid
      else hi = mid
    }
    found.push({ at: hi, offset })
    previous = offset
  }
  table = found
  return found
}

/**
 * The zone's offsets as a table of transitions (UTC ms from which each offset applies, the first at -Infinity),
 * for readers that convert wall-clock times outside JavaScript and must agree with `fromAlmatyWallClock`.
 */
export const almatyTransitions = (): { readonly at: Float64Array; readonly offset: Float64Array } => {
  const list = transitions()
  return { at: Float64Array.from(list, (t) => t.at), offset: Float64Array.from(list, (t) => t.offset) }
}

let lastFrom = 0
let lastTo = -1
let lastOffset = 0

/** Milliseconds east of UTC in Asia/Almaty at a UTC instant. */
export const almatyOffsetMs = (utcMs: number): number => {
  // Consecutive records mostly fall in the same interval between transitions: check it before searching.
  if (utcMs >= lastFrom && utcMs < lastTo) return lastOffset
  const list = transitions()
  let lo = 0
  let hi = list.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((list[mid] as Transition).at <= utcMs) lo = mid
    else hi = mid - 1
  }
  lastFrom = (list[lo] as Transition).at
  lastTo = lo + 1 < list.length ? (list[lo + 1] as Transition).at : Number.POSITIVE_INFINITY
  lastOffset = (list[lo] as Transition).offset
  return lastOffset
}

/** Minutes east of UTC in Asia/Almaty at a UTC instant (fractional before 1924: local mean time, +05:07:48). */
export const almatyOffsetMinutes = (utcMs: number): number => almatyOffsetMs(utcMs) / MS_PER_MINUTE

/** The calendar day in Asia/Almaty of a UTC instant, as days since 1970-01-01. */
export const almatyDay = (utcMs: number): number => Math.floor((utcMs + almatyOffsetMs(utcMs)) / MS_PER_DAY)

/** Converts an Almaty wall-clock time (given as if it were UTC) to the UTC instant. */
export const fromAlmatyWallClock = (wallMs: number): number => {
  // The offset at (wall - offset) is what we need; two passes settle it except inside a transition gap.
  let utc = wallMs - almatyOffsetMs(wallMs)
  utc = wallMs - almatyOffsetMs(utc)
  return utc
}

/**
 * What a non-digit counts as: low enough that any field holding one comes out negative and is refused. (-1000 was
 * not: as a year's last digit the other three made up for it, and "302 -05-01" read as 2020-05-01.)
 */
const NOT_A_DIGIT = -100_000

const digitAt = (text: string, i: number): number => {
  const d = text.charCodeAt(i) - 48
  return d >= 0 && d <= 9 ? d : NOT_A_DIGIT
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

/**
 * The common shapes "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" (zone-less) read without a regex — millions of these
 * are parsed per import — from `text[from, to)`, so that a JSONL scanner can read them in place. Returns the
 * wall-clock time as if UTC, or -1 to send the text to the general parser (`parseTimestamp`).
 */
export const wallClockAt = (text: string, from: number, to: number): number => {
  const length = to - from
  if ((length !== 10 && length !== 19) || text.charCodeAt(from + 4) !== 45 || text.charCodeAt(from + 7) !== 45) {
    return -1
  }
  const year =
    digitAt(text, from) * 1000 + digitAt(text, from + 1) * 100 + digitAt(text, from + 2) * 10 + digitAt(text, from + 3)
  const month = digitAt(text, from + 5) * 10 + digitAt(text, from + 6)
  const day = digitAt(text, from + 8) * 10 + digitAt(text, from + 9)
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] as number)) return -1
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return -1
  let ms = dayOfDate(year, month, day) * MS_PER_DAY
  if (length === 19) {
    const separator = text.charCodeAt(from + 10)
    if (
      (separator !== 32 && separator !== 84) ||
      text.charCodeAt(from + 13) !== 58 ||
      text.charCodeAt(from + 16) !== 58
    ) {
      return -1
    }
    const hour = digitAt(text, from + 11) * 10 + digitAt(text, from + 12)
    const minute = digitAt(text, from + 14) * 10 + digitAt(text, from + 15)
    const second = digitAt(text, from + 17) * 10 + digitAt(text, from + 18)
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1
    ms += ((hour * 60 + minute) * 60 + second) * 1000
  }
  return ms
}

const byteDigit = (bytes: Uint8Array, i: number): number => {
  const d = (bytes[i] as number) - 48
  return d >= 0 && d <= 9 ? d : NOT_A_DIGIT
}

/** `wallClockAt` over bytes (ASCII) at `bytes[from, to)`: the same shapes, the same result. */
export const wallClockOfBytes = (bytes: Uint8Array, from: number, to: number): number => {
  const length = to - from
  if ((length !== 10 && length !== 19) || bytes[from + 4] !== 45 || bytes[from + 7] !== 45) return -1
  const year =
    byteDigit(bytes, from) * 1000 +
    byteDigit(bytes, from + 1) * 100 +
    byteDigit(bytes, from + 2) * 10 +
    byteDigit(bytes, from + 3)
  const month = byteDigit(bytes, from + 5) * 10 + byteDigit(bytes, from + 6)
  const day = byteDigit(bytes, from + 8) * 10 + byteDigit(bytes, from + 9)
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] as number)) return -1
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return -1
  let ms = dayOfDate(year, month, day) * MS_PER_DAY
  if (length === 19) {
    const separator = bytes[from + 10]
    if ((separator !== 32 && separator !== 84) || bytes[from + 13] !== 58 || bytes[from + 16] !== 58) return -1
    const hour = byteDigit(bytes, from + 11) * 10 + byteDigit(bytes, from + 12)
    const minute = byteDigit(bytes, from + 14) * 10 + byteDigit(bytes, from + 15)
    const second = byteDigit(bytes, from + 17) * 10 + byteDigit(bytes, from + 18)
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1
    ms += ((hour * 60 + minute) * 60 + second) * 1000
  }
  return ms
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:\d{2}:\d{2}|[+-]\d{2}:?\d{2})?$/u

/**
 * Parses a goszakup timestamp or date into a UTC instant. Without a zone the value is Almaty wall-clock time;
 * with `Z` or `±hh:mm` it is taken as given. Kept to the millisecond: finer digits are dropped, not rounded. Returns the reason when the text is not a real date.
 */
export const parseTimestamp = (value: unknown): number | string => {
  if (typeof value !== "string") {
    return `expected a date or timestamp string, got ${value === null ? "null" : typeof value}`
  }
  const fast = wallClockAt(value, 0, value.length)
  if (fast >= 0) return fromAlmatyWallClock(fast)
  const match = TIMESTAMP.exec(value.trim())
  if (match === null) return `expected a date like 2024-01-31 or 2024-01-31 10:20:30, got ${JSON.stringify(value)}`
  const [, y, mo, d, h, mi, s, frac, zone] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h ?? 0)
  const minute = Number(mi ?? 0)
  const second = Number(s ?? 0)
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, "0"))
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  const check = new Date(wall)
  if (year < 1900) return `${JSON.stringify(value)} is before 1900, the earliest year read`
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return `${JSON.stringify(value)} is not a real calendar date and time`
  }
  if (zone === undefined) return fromAlmatyWallClock(wall)
  if (zone === "Z") return wall
  const sign = zone.startsWith("-") ? -1 : 1
  const body = zone.slice(1)
  // ±hh:mm, ±hhmm, or ±hh:mm:ss (local mean time, as PostgreSQL writes it for instants before 1924).
  const [hours, minutes, seconds] = body.includes(":") ? body.split(":") : [body.slice(0, 2), body.slice(2)]
  const offsetMinutes = Number(minutes)
  const offsetSeconds = Number(seconds ?? 0)
  const offset = (Number(hours) * 60 + offsetMinutes) * 60 + offsetSeconds
  // Real offsets lie within ±14:00 (UTC+14, Line Islands; UTC−12); anything else is a corrupt value, not a zone.
  if (offsetMinutes > 59 || offsetSeconds > 59 || offset > 14 * 3600) {
    return `${JSON.stringify(value)} has a time zone offset ${zone} that no zone uses (at most ±14:00)`
  }
  const instant = wall - sign * offset * MS_PER_SECOND
  // A negative offset can carry the last hours of 9999 into year 10000, which no store can hold.
  if (instant > INSTANT_MAX)
    return `${JSON.stringify(value)} is after 9999-12-31T23:59:59.999Z, the last instant stored`
  return instant
}

/**
 * Formats a UTC instant as Almaty wall-clock ISO text with its offset ("2024-03-05T10:20:30+05:00"). Before 1924
 * the offset has seconds ("+05:07:48", as PostgreSQL writes it; `parseTimestamp` reads it back).
 */
export const formatAlmaty = (utcMs: number): string => {
  const offset = almatyOffsetMs(utcMs)
  const wall = new Date(utcMs + offset).toISOString().slice(0, 19)
  const sign = offset < 0 ? "-" : "+"
  const seconds = Math.abs(offset) / MS_PER_SECOND
  const two = (n: number) => String(n).padStart(2, "0")
  const hhmm = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}`
  return `${wall}${sign}${hhmm}${seconds % 60 === 0 ? "" : `:${two(seconds % 60)}`}`
}

/** Formats an Almaty day number as YYYY-MM-DD. */
export const formatDay = (day: number): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10)
