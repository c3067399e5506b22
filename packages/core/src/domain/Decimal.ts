/**
 * Exact rational arithmetic for indicator measures and thresholds. Thresholds are given as decimal numbers
 * (30, 0.8, 12.5); a measure is a ratio of integers. Comparisons never go through floating point, and a measure
 * is reported as a decimal string rounded half away from zero — the rounding PostgreSQL's `round(numeric, s)`
 * applies, so the in-memory and SQL engines print the same digits.
 */
export interface Fraction {
  readonly num: bigint
  readonly den: bigint // always > 0
}

export const fraction = (num: bigint, den: bigint): Fraction => {
  if (den === 0n) throw new RangeError("fraction with a zero denominator")
  return den < 0n ? { num: -num, den: -den } : { num, den }
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/u

/** The exact value of a decimal number as written (its shortest round-trip form): 0.1 is 1/10, not 0.1000000000000000055. */
export const fractionOfDecimal = (value: number | string): Fraction => {
  const text = typeof value === "number" ? decimalText(value) : value.trim()
  const match = DECIMAL.exec(text)
  if (match === null) throw new RangeError(`not a decimal number: ${text}`)
  const digits = match[3] ?? ""
  const num = BigInt(`${match[2]}${digits}`) * (match[1] === "-" ? -1n : 1n)
  return { num, den: 10n ** BigInt(digits.length) }
}

const decimalText = (value: number): string => {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`)
  const text = String(value)
  const e = text.indexOf("e")
  if (e < 0) return text
  // Exponent forms (below 1e-6, from 1e21) are expanded digit by digit: toFixed(20) printed 1e21 in exponent form
  // again (a RangeError for such a threshold) and turned values below 1e-20 into 0.
  const sign = text.startsWith("-") ? "-" : ""
  const [whole = "", frac = ""] = text.slice(sign.length, e).split(".")
  const digits = `${whole}${frac}`
  const point = whole.length + Number(text.slice(e + 1))
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

/** Compares a/b with c/d exactly: negative, zero or positive. */
export const compareFractions = (a: Fraction, b: Fraction): number => {
  const left = a.num * b.den
  const right = b.num * a.den
  return left < right ? -1 : left > right ? 1 : 0
}

/** Rounds num/den to `scale` decimals, half away from zero, as a decimal string ("30.0001", "-5.5000"). */
export const formatFraction = (value: Fraction, scale = 4): string => {
  const factor = 10n ** BigInt(scale)
  const negative = value.num < 0n
  const abs = negative ? -value.num : value.num
  const scaled = abs * factor
  let q = scaled / value.den
  if ((scaled % value.den) * 2n >= value.den) q += 1n
  const text = q.toString().padStart(scale + 1, "0")
  const whole = text.slice(0, text.length - scale)
  const frac = text.slice(text.length - scale)
  const sign = negative && q !== 0n ? "-" : ""
  return scale === 0 ? `${sign}${whole}` : `${sign}${whole}.${frac}`
}

/** Formats a decimal threshold as given (no rounding): 30 → "30", 0.8 → "0.8". */
export const formatDecimal = (value: number): string => decimalText(value)
