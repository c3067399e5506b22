import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import {
  almatyDay,
  almatyOffsetMinutes,
  formatAlmaty,
  formatDay,
  fromAlmatyWallClock,
  INSTANT_MAX,
  parseTimestamp
} from "../src/index.ts"

const HOUR = 3_600_000
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms)

const parsed = (text: string): number => {
  const value = parseTimestamp(text)
  assert.isNumber(value, `expected ${text} to parse, got ${String(value)}`)
  return value as number
}

describe("Asia/Almaty offsets", () => {
  it("is UTC+6 until 2024-03-01 00:00 local (2024-02-29T18:00Z) and UTC+5 from then on", () => {
    assert.strictEqual(almatyOffsetMinutes(utc(2023, 1, 1)), 360)
    assert.strictEqual(almatyOffsetMinutes(utc(2023, 7, 1)), 360)
    assert.strictEqual(almatyOffsetMinutes(utc(2024, 2, 29, 17, 59, 59, 999)), 360)
    assert.strictEqual(almatyOffsetMinutes(utc(2024, 2, 29, 18)), 300)
    assert.strictEqual(almatyOffsetMinutes(utc(2025, 7, 1)), 300)
  })

  it("knows the summer time Kazakhstan kept until 2004", () => {
    assert.strictEqual(almatyOffsetMinutes(utc(2004, 7, 1)), 420)
    assert.strictEqual(almatyOffsetMinutes(utc(2004, 1, 15)), 360)
  })

  it("knows the Soviet-era offsets and local mean time back to 1900, as the tz database (and PostgreSQL) do", () => {
    assert.strictEqual(almatyOffsetMinutes(utc(1985, 7, 1)), 420)
    assert.strictEqual(almatyOffsetMinutes(utc(1985, 1, 15)), 360)
    assert.strictEqual(almatyOffsetMinutes(utc(1925, 1, 1)), 300)
    // +05:07:48 until the start of 1924-05-02 local time, which was 1924-05-01T18:52:12Z.
    assert.strictEqual(almatyOffsetMinutes(utc(1920, 1, 1)), 5 * 60 + 7 + 48 / 60)
    assert.strictEqual(almatyOffsetMinutes(utc(1924, 5, 1, 18, 52, 11)), 5 * 60 + 7 + 48 / 60)
    assert.strictEqual(almatyOffsetMinutes(utc(1924, 5, 1, 18, 52, 12)), 300)
    assert.strictEqual(almatyOffsetMinutes(utc(1850, 1, 1)), 5 * 60 + 7 + 48 / 60)
  })

  it("reads pre-1990 wall-clock times with their own offset, so days count as they were lived", () => {
    // A Soviet summer: 00:30 on 1 July 1985 at +7 is 17:30Z the day before, still 1 July in Almaty.
    const created = parsed("1985-07-01 00:30:00")
    assert.strictEqual(created, utc(1985, 6, 30, 17, 30))
    assert.strictEqual(formatDay(almatyDay(created)), "1985-07-01")
    assert.strictEqual(almatyDay(parsed("1985-07-05 23:30:00")) - almatyDay(created), 4)
    assert.strictEqual(formatDay(almatyDay(parsed("1985-06-30T17:30:00Z"))), "1985-07-01")
    assert.strictEqual(parsed("1920-01-01 00:30:00"), utc(1919, 12, 31, 19, 22, 12))
  })
})

describe("parseTimestamp", () => {
  it("reads zone-less text as Almaty wall-clock time", () => {
    assert.strictEqual(parsed("2023-01-15 10:20:30"), utc(2023, 1, 15, 4, 20, 30))
    assert.strictEqual(parsed("2023-01-15T10:20:30"), utc(2023, 1, 15, 4, 20, 30))
    assert.strictEqual(parsed("2023-01-15 10:20"), utc(2023, 1, 15, 4, 20))
    assert.strictEqual(parsed("2023-01-15"), utc(2023, 1, 14, 18))
    assert.strictEqual(parsed("  2023-01-15 10:20:30  "), utc(2023, 1, 15, 4, 20, 30))
    assert.strictEqual(parsed("2024-06-01 10:00:00"), utc(2024, 6, 1, 5))
    assert.strictEqual(parsed("2024-02-29"), utc(2024, 2, 28, 18))
  })

  it("keeps milliseconds of a fraction and ignores digits below them", () => {
    assert.strictEqual(parsed("2023-01-15 10:20:30.5"), utc(2023, 1, 15, 4, 20, 30, 500))
    assert.strictEqual(parsed("2023-01-15 10:20:30.123456"), utc(2023, 1, 15, 4, 20, 30, 123))
  })

  it("takes an explicit zone as given", () => {
    assert.strictEqual(parsed("2023-01-15T10:20:30Z"), utc(2023, 1, 15, 10, 20, 30))
    assert.strictEqual(parsed("2023-01-15T10:20:30+05:00"), utc(2023, 1, 15, 5, 20, 30))
    assert.strictEqual(parsed("2023-01-15T10:20:30+0500"), utc(2023, 1, 15, 5, 20, 30))
    assert.strictEqual(parsed("2023-01-15T10:20:30-03:30"), utc(2023, 1, 15, 13, 50, 30))
    assert.strictEqual(parsed("2023-01-15 10:20:30 +06:00"), utc(2023, 1, 15, 4, 20, 30))
    // an explicit +06:00 after the change is still honoured, not replaced by the zone's +05:00
    assert.strictEqual(parsed("2024-06-01T10:00:00+06:00"), utc(2024, 6, 1, 4))
  })

  it("reads the hour that happened twice on 2024-02-29 as its second occurrence (UTC+5)", () => {
    assert.strictEqual(parsed("2024-02-29 22:59:59"), utc(2024, 2, 29, 16, 59, 59))
    assert.strictEqual(parsed("2024-02-29 23:30:00"), utc(2024, 2, 29, 18, 30))
    assert.strictEqual(parsed("2024-03-01 00:30:00"), utc(2024, 2, 29, 19, 30))
  })

  it("names the reason for what is not a real date", () => {
    for (const bad of [
      "2023-02-30",
      "2023-02-29",
      "2023-13-01",
      "2023-00-10",
      "2023-01-01 24:00:00",
      "2023-01-01 10:60:00",
      "2023-01-01 10:00:60"
    ]) {
      const result = parseTimestamp(bad)
      assert.isString(result, bad)
      assert.include(result as string, "not a real calendar date")
      assert.include(result as string, bad)
    }
    // A year whose last character is not a digit ("302 " for 2020, "999-" for 8990): the fast reader once counted
    // a non-digit as -1000, which the other three digits could make up for.
    for (const bad of [
      "garbage",
      "",
      "2023-1-5",
      "15.01.2023",
      "2023-01-15 10",
      "302 -05-01",
      "297x-01-01",
      "999--12-31 10:00:00"
    ]) {
      const result = parseTimestamp(bad)
      assert.isString(result, bad)
      assert.include(result as string, "expected a date like")
    }
    assert.strictEqual(parseTimestamp("1899-12-31"), '"1899-12-31" is before 1900, the earliest year read')
    // The last instant the stores hold is 9999-12-31T23:59:59.999Z; a negative offset can carry a value past it.
    assert.strictEqual(parsed("9999-12-31T23:59:59.999Z"), INSTANT_MAX)
    assert.strictEqual(parsed("9999-12-31 23:59:59"), INSTANT_MAX - 999 - 5 * 3_600_000)
    assert.include(parseTimestamp("9999-12-31T23:00:00-12:00") as string, "after 9999-12-31T23:59:59.999Z")
    assert.include(parseTimestamp(20230115) as string, "got number")
    assert.include(parseTimestamp(null) as string, "got null")
    assert.include(parseTimestamp(undefined) as string, "got undefined")
  })
})

describe("calendar days in Almaty", () => {
  it("counts calendar days, not 24-hour periods", () => {
    const evening = parsed("2023-05-10 23:50:00")
    const night = parsed("2023-05-11 00:30:00")
    assert.isBelow(night - evening, HOUR)
    assert.strictEqual(almatyDay(night) - almatyDay(evening), 1)
    assert.strictEqual(formatDay(almatyDay(night)), "2023-05-11")
    assert.strictEqual(formatDay(almatyDay(evening)), "2023-05-10")
  })

  it("puts midnight where the zone had it on each side of the change", () => {
    assert.strictEqual(formatDay(almatyDay(utc(2023, 5, 10, 17, 59, 59, 999))), "2023-05-10")
    assert.strictEqual(formatDay(almatyDay(utc(2023, 5, 10, 18))), "2023-05-11")
    assert.strictEqual(formatDay(almatyDay(utc(2024, 3, 5, 18, 59, 59, 999))), "2024-03-05")
    assert.strictEqual(formatDay(almatyDay(utc(2024, 3, 5, 19))), "2024-03-06")
  })

  it("formats instants with the offset in force", () => {
    assert.strictEqual(formatAlmaty(utc(2024, 2, 29, 17, 30)), "2024-02-29T23:30:00+06:00")
    assert.strictEqual(formatAlmaty(utc(2024, 2, 29, 18, 30)), "2024-02-29T23:30:00+05:00")
    assert.strictEqual(formatAlmaty(utc(2023, 1, 15, 4, 20, 30)), "2023-01-15T10:20:30+06:00")
    assert.strictEqual(formatAlmaty(utc(1985, 6, 30, 17, 30)), "1985-07-01T00:30:00+07:00")
    // Local mean time: the offset keeps its seconds, as PostgreSQL writes it.
    assert.strictEqual(formatAlmaty(utc(1919, 12, 31, 19, 22, 12)), "1920-01-01T00:30:00+05:07:48")
    assert.strictEqual(parsed("1920-01-01T00:30:00+05:07:48"), utc(1919, 12, 31, 19, 22, 12))
  })
})

const instants = fc.integer({ min: utc(1900, 1, 2), max: utc(2059, 12, 31) }).map((t) => Math.floor(t / 1000) * 1000)

describe("time properties", () => {
  it("parseTimestamp reads back what formatAlmaty wrote", () => {
    fc.assert(fc.property(instants, (t) => parseTimestamp(formatAlmaty(t)) === t))
  })

  it("fromAlmatyWallClock inverts the offset outside the repeated hour of 2024-02-29", () => {
    const repeatedFrom = utc(2024, 2, 29, 17)
    const repeatedTo = utc(2024, 2, 29, 18)
    fc.assert(
      fc.property(
        fc.integer({ min: utc(2005, 1, 1), max: utc(2059, 12, 31) }).filter((t) => t < repeatedFrom || t >= repeatedTo),
        (t) => fromAlmatyWallClock(t + almatyOffsetMinutes(t) * 60_000) === t
      )
    )
  })

  it("zone-less text parses to the wall-clock time it names (no gaps since 2005)", () => {
    const wallClock = fc
      .date({ min: new Date(utc(2005, 1, 1)), max: new Date(utc(2059, 12, 31)), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 19))
    fc.assert(fc.property(wallClock, (wall) => formatAlmaty(parsed(wall.replace("T", " "))).slice(0, 19) === wall))
  })

  it("the common shapes read alike whether or not they take the quick path", () => {
    // trailing blanks change the length, which sends the text through the general parser
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n })
    const shaped = fc.oneof(
      fc
        .tuple(fc.constantFrom("19", "20", "21"), digits(2), digits(2), digits(2))
        .map(([c, y, m, d]) => `${c}${y}-${m}-${d}`),
      fc
        .tuple(
          fc.constantFrom("20"),
          digits(2),
          digits(2),
          digits(2),
          fc.constantFrom(" ", "T"),
          digits(2),
          digits(2),
          digits(2)
        )
        .map(([c, y, mo, d, sep, h, mi, s]) => `${c}${y}-${mo}-${d}${sep}${h}:${mi}:${s}`),
      fc
        .date({ min: new Date(utc(1990, 1, 1)), max: new Date(utc(2059, 12, 31)), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 19).replace("T", " "))
    )
    fc.assert(
      fc.property(shaped, (text) => {
        const quick = parseTimestamp(text)
        const general = parseTimestamp(`${text}  `)
        return typeof quick === typeof general && (typeof quick === "string" || quick === general)
      }),
      { numRuns: 300 }
    )
  })

  it("almatyDay never goes backwards", () => {
    fc.assert(fc.property(instants, instants, (a, b) => (a <= b ? almatyDay(a) <= almatyDay(b) : true)))
  })
})
