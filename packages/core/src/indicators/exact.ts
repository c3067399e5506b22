import { compareFractions, type Fraction, fraction, fractionOfDecimal } from "../domain/Decimal.ts"

/**
 * Exact comparisons of integer ratios with decimal thresholds, on plain numbers while the products stay below
 * 2^52 (where a double product is the exact integer) and on bigint beyond. The old path built a bigint fraction
 * per contract; this one does not allocate for the millions of contracts that are compared and not flagged.
 */
const EXACT_LIMIT = 2 ** 52

/** sign(a·b − c·d) for safe integers, exactly. */
export const compareProducts = (a: number, b: number, c: number, d: number): number => {
  const left = a * b
  const right = c * d
  if (Math.abs(left) < EXACT_LIMIT && Math.abs(right) < EXACT_LIMIT) return left < right ? -1 : left > right ? 1 : 0
  const l = BigInt(a) * BigInt(b)
  const r = BigInt(c) * BigInt(d)
  return l < r ? -1 : l > r ? 1 : 0
}

/** A decimal threshold as the exact fraction it was written as (30 → 30/1, 0.8 → 8/10). */
export interface ExactThreshold {
  readonly fraction: Fraction
  readonly num: number
  readonly den: number
}

export const exactThreshold = (value: number): ExactThreshold => {
  const f = fractionOfDecimal(value)
  return { fraction: f, num: Number(f.num), den: Number(f.den) }
}

/** sign(num × scale / den − t), exactly; `den` > 0 and all integers. */
export const compareScaledRatio = (num: number, scale: number, den: number, t: ExactThreshold): number => {
  const k = scale * t.den
  if (Number.isSafeInteger(k) && Number.isSafeInteger(t.num)) return compareProducts(num, k, t.num, den)
  return compareFractions(fraction(BigInt(num) * BigInt(scale), BigInt(den)), t.fraction)
}
