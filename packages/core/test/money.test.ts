import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import {
  addTiyn,
  compareFractions,
  formatDecimal,
  formatFraction,
  formatTenge,
  fraction,
  fractionOfDecimal,
  parseTenge
} from "../src/index.ts"

/** parseTenge with its brand widened, so that results compare with plain numbers. */
const parse = (value: unknown): number | string => parseTenge(value)

const rejects = (value: unknown, fragment: string): void => {
  const parsed = parseTenge(value)
  assert.isString(parsed, `expected ${String(value)} to be rejected`)
  assert.include(parsed as string, fragment)
}

describe("parseTenge", () => {
  it("reads numbers and decimal strings exactly, in tiyn", () => {
    assert.strictEqual(parse(0), 0)
    assert.strictEqual(parse("0"), 0)
    assert.strictEqual(parse(1234.5), 123450)
    assert.strictEqual(parse("1234.50"), 123450)
    assert.strictEqual(parse("1234.5"), 123450)
    assert.strictEqual(parse("0.01"), 1)
    assert.strictEqual(parse(0.07), 7)
    assert.strictEqual(parse(" 12.50 "), 1250)
    // trailing zeros beyond the second decimal carry no precision
    assert.strictEqual(parse("1.100"), 110)
    assert.strictEqual(parse(-0), 0)
  })

  it("keeps amounts whose float products would drift (0.1 + 0.2 style)", () => {
    // 0.3 * 100 is 30.000000000000004 in floating point; the parser must not go through it
    assert.strictEqual(parse(0.3), 30)
    assert.strictEqual(parse(1.15), 115)
    assert.strictEqual(parse(4.35), 435)
    assert.strictEqual(parse("19.99"), 1999)
    assert.strictEqual(parse(1005.07), 100507)
    // the number 0.1 + 0.2 is 0.30000000000000004: what the JSON said, and not an amount of tiyn
    rejects(0.1 + 0.2, "more precision than 1 tiyn")
  })

  it("rejects more than two decimals", () => {
    rejects("10.123", "more precision than 1 tiyn")
    rejects(1.005, "more precision than 1 tiyn")
    rejects("0.001", "more precision than 1 tiyn")
  })

  it("rejects amounts too small to be written without an exponent instead of rounding them to zero", () => {
    rejects(1e-7, "more precision than 1 tiyn")
    rejects(5e-324, "more precision than 1 tiyn")
  })

  it("rejects amounts beyond the exact integer range of tiyn", () => {
    assert.strictEqual(parse("90071992547409.91"), Number.MAX_SAFE_INTEGER)
    rejects("90071992547409.92", "too large")
    rejects(1e20, "too large")
    rejects(1e21, "expected a decimal amount")
    rejects(1.5e25, "expected a decimal amount")
    rejects("123456789012345678901234", "too large")
  })

  it("rejects negative amounts", () => {
    rejects(-1, "must not be negative")
    rejects(-0.01, "must not be negative")
    rejects("-0.01", "must not be negative")
    rejects("-0", "must not be negative")
  })

  it("rejects what is not a decimal amount", () => {
    rejects(Number.NaN, "finite")
    rejects(Number.POSITIVE_INFINITY, "finite")
    rejects("1e3", "expected a decimal amount")
    rejects("12,50", "expected a decimal amount")
    rejects("abc", "expected a decimal amount")
    rejects(".5", "expected a decimal amount")
    rejects("+5", "expected a decimal amount")
    rejects("", "expected a decimal amount")
    rejects(null, "got null")
    rejects(true, "got boolean")
    rejects({}, "got object")
  })
})

describe("formatTenge and addTiyn", () => {
  it("formats tiyn with two decimals", () => {
    assert.strictEqual(formatTenge(0), "0.00")
    assert.strictEqual(formatTenge(5), "0.05")
    assert.strictEqual(formatTenge(50), "0.50")
    assert.strictEqual(formatTenge(123450), "1234.50")
    assert.strictEqual(formatTenge(100000000), "1000000.00")
    assert.strictEqual(formatTenge(-5), "-0.05")
    assert.strictEqual(formatTenge(-123456), "-1234.56")
    assert.strictEqual(formatTenge(Number.MAX_SAFE_INTEGER), "90071992547409.91")
  })

  it("round-trips every safe amount through its text", () => {
    fc.assert(fc.property(fc.maxSafeNat(), (tiyn) => parseTenge(formatTenge(tiyn)) === tiyn))
  })

  it("round-trips through a JSON number where a double holds the amount (up to 10^13 tenge)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e15 }), (tiyn) => {
        const asNumber: unknown = JSON.parse(formatTenge(tiyn))
        return parseTenge(asNumber) === tiyn
      })
    )
  })

  it("a JSON number and its text read alike", () => {
    const amounts = fc.oneof(
      fc.double({ min: 0, max: 1e22, noNaN: true }),
      fc.integer({ min: 0, max: 1e16 }).map((n) => n / 100),
      fc.integer({ min: 0, max: 1e9 }).map((n) => n / 1000)
    )
    fc.assert(
      fc.property(amounts, (value) => {
        const fromNumber = parseTenge(value)
        const fromText = parseTenge(String(value))
        return typeof fromNumber === typeof fromText && (typeof fromNumber === "string" || fromNumber === fromText)
      }),
      { numRuns: 500 }
    )
  })

  it("adds exactly and refuses to leave the safe range", () => {
    assert.strictEqual(addTiyn(1, 2), 3)
    assert.strictEqual(addTiyn(Number.MAX_SAFE_INTEGER - 1, 1), Number.MAX_SAFE_INTEGER)
    assert.throws(() => addTiyn(Number.MAX_SAFE_INTEGER, 1), RangeError)
  })
})

/** Rounds num/den to `scale` decimals half away from zero, by a route different from the source: 2x, add den, floor. */
const referenceRound = (num: bigint, den: bigint, scale: number): string => {
  const negative = num < 0n !== den < 0n && num !== 0n
  const n = num < 0n ? -num : num
  const d = den < 0n ? -den : den
  const q = (2n * n * 10n ** BigInt(scale) + d) / (2n * d)
  const digits = q.toString()
  const padded = digits.length <= scale ? `${"0".repeat(scale - digits.length + 1)}${digits}` : digits
  const text = scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`
  return negative && q !== 0n ? `-${text}` : text
}

describe("Decimal", () => {
  it("fractionOfDecimal reads the decimal as written, not its binary approximation", () => {
    assert.deepStrictEqual(fractionOfDecimal(0.1), { num: 1n, den: 10n })
    assert.deepStrictEqual(fractionOfDecimal(12.5), { num: 125n, den: 10n })
    assert.deepStrictEqual(fractionOfDecimal(30), { num: 30n, den: 1n })
    assert.deepStrictEqual(fractionOfDecimal(-0.5), { num: -5n, den: 10n })
    assert.deepStrictEqual(fractionOfDecimal("0.80"), { num: 80n, den: 100n })
    assert.deepStrictEqual(fractionOfDecimal(" 7 "), { num: 7n, den: 1n })
    assert.deepStrictEqual(fractionOfDecimal(1e-7), { num: 1n, den: 10000000n })
    assert.strictEqual(compareFractions(fractionOfDecimal(0.1 + 0.2), fractionOfDecimal(0.3)), 1)
  })

  it("fractionOfDecimal expands exponent forms exactly as written, at both ends of the range", () => {
    assert.deepStrictEqual(fractionOfDecimal(1e21), { num: 10n ** 21n, den: 1n })
    assert.deepStrictEqual(fractionOfDecimal(2.5e22), { num: 25n * 10n ** 21n, den: 1n })
    assert.deepStrictEqual(fractionOfDecimal(-1.5e-7), { num: -15n, den: 10n ** 8n })
    assert.strictEqual(compareFractions(fractionOfDecimal(1e-21), fraction(1n, 10n ** 21n)), 0)
    assert.strictEqual(formatDecimal(1e21), `1${"0".repeat(21)}`)
    assert.strictEqual(formatDecimal(1.5e-21), `0.${"0".repeat(20)}15`)
  })

  it("fractionOfDecimal of any finite double is the value of its shortest decimal text", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/u.exec(String(value))
        if (match === null) return false
        const [, sign, whole, frac = "", exp = "0"] = match
        const digits = BigInt(`${sign}${whole}${frac}`)
        const scale = Number(exp) - frac.length
        const expected =
          scale >= 0 ? fraction(digits * 10n ** BigInt(scale), 1n) : fraction(digits, 10n ** BigInt(-scale))
        return compareFractions(fractionOfDecimal(value), expected) === 0
      })
    )
  })

  it("fractionOfDecimal refuses what is not a finite decimal", () => {
    assert.throws(() => fractionOfDecimal(Number.NaN), RangeError)
    assert.throws(() => fractionOfDecimal(Number.POSITIVE_INFINITY), RangeError)
    assert.throws(() => fractionOfDecimal("abc"), RangeError)
    assert.throws(() => fractionOfDecimal("1e5"), RangeError)
  })

  it("fractionOfDecimal of n / 10^s written in decimal is exactly n / 10^s", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 6 }), (n, s) => {
        const text = referenceRound(n, 10n ** BigInt(s), s)
        return compareFractions(fractionOfDecimal(text), fraction(n, 10n ** BigInt(s))) === 0
      })
    )
  })

  it("fraction normalises the sign onto the numerator and refuses a zero denominator", () => {
    assert.deepStrictEqual(fraction(1n, -2n), { num: -1n, den: 2n })
    assert.deepStrictEqual(fraction(-3n, -4n), { num: 3n, den: 4n })
    assert.throws(() => fraction(1n, 0n), RangeError)
  })

  it("compareFractions is exact, including unreduced and negative values", () => {
    assert.strictEqual(compareFractions(fraction(1n, 2n), fraction(2n, 4n)), 0)
    assert.strictEqual(compareFractions(fraction(1n, 3n), fraction(333333n, 1000000n)), 1)
    assert.strictEqual(compareFractions(fraction(-1n, 3n), fraction(-333333n, 1000000n)), -1)
    assert.strictEqual(compareFractions(fraction(30n, 1n), fraction(300001n, 10000n)), -1)
  })

  it("compareFractions is antisymmetric and ignores common factors", () => {
    const frac = fc
      .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n }))
      .map(([n, d]) => fraction(n, d))
    fc.assert(
      fc.property(frac, frac, fc.bigInt({ min: 1n, max: 1000n }), (a, b, k) => {
        const c = compareFractions(a, b)
        return (
          compareFractions(b, a) === -c &&
          compareFractions(fraction(a.num * k, a.den * k), b) === c &&
          c === Math.sign(Number(a.num * b.den - b.num * a.den))
        )
      })
    )
  })

  it("formatFraction rounds half away from zero", () => {
    assert.strictEqual(formatFraction(fraction(1n, 3n)), "0.3333")
    assert.strictEqual(formatFraction(fraction(2n, 3n)), "0.6667")
    assert.strictEqual(formatFraction(fraction(30n, 1n)), "30.0000")
    assert.strictEqual(formatFraction(fraction(300005n, 10000n * 10n)), "3.0001")
    assert.strictEqual(formatFraction(fraction(-300005n, 100000n)), "-3.0001")
    assert.strictEqual(formatFraction(fraction(1n, 8n), 2), "0.13")
    assert.strictEqual(formatFraction(fraction(-1n, 8n), 2), "-0.13")
    assert.strictEqual(formatFraction(fraction(5n, 2n), 0), "3")
    assert.strictEqual(formatFraction(fraction(-5n, 2n), 0), "-3")
    assert.strictEqual(formatFraction(fraction(-5n, 100000n)), "-0.0001")
    // a negative value that rounds to zero prints without a sign
    assert.strictEqual(formatFraction(fraction(-4n, 100000n)), "0.0000")
    assert.strictEqual(formatFraction(fraction(123456789n, 1n), 0), "123456789")
  })

  it("formatFraction agrees with a bigint reference", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 8 }),
        (n, d, s) => formatFraction(fraction(n, d), s) === referenceRound(n, d, s)
      )
    )
  })

  it("formatFraction hits exact halves", () => {
    // values k + 1/2 ulp at scale 4: (2k+1) / 20000
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), (k) => {
        const value = fraction(2n * k + 1n, 20000n)
        return formatFraction(value) === referenceRound(2n * k + 1n, 20000n, 4)
      })
    )
    assert.strictEqual(formatFraction(fraction(1n, 20000n)), "0.0001")
    assert.strictEqual(formatFraction(fraction(-1n, 20000n)), "-0.0001")
  })

  it("formatDecimal prints a threshold as given", () => {
    assert.strictEqual(formatDecimal(30), "30")
    assert.strictEqual(formatDecimal(0.8), "0.8")
    assert.strictEqual(formatDecimal(12.5), "12.5")
    assert.strictEqual(formatDecimal(1e-7), "0.0000001")
  })
})
