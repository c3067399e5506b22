import { Schema } from "effect"
import { decimalTiynAt, simpleTiyn } from "./tiyn.ts"

/**
 * Money in tiyn (1 tenge = 100 tiyn) as a safe integer. Sums over a contract's lots stay far below 2^53 tiyn
 * (≈ 90 trillion tenge); arithmetic that could leave that range goes through `bigint`.
 */
export const Tiyn = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)).pipe(Schema.brand("Tiyn"))
export type Tiyn = typeof Tiyn.Type

const DECIMAL = /^(\d+)(?:\.(\d+))?$/u

/**
 * Parses a tenge amount (a JSON number or a decimal string such as "1234.50") into tiyn, exactly.
 * Returns the reason when the value is not an exact, non-negative amount of tiyn.
 */
export const parseTenge = (value: unknown): Tiyn | string => {
  let text: string
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return `expected a finite amount, got ${String(value)}`
    if (value < 0) return `amount must not be negative, got ${String(value)}`
    const simple = simpleTiyn(value)
    if (simple >= 0) return simple as Tiyn
    // The shortest round-trip representation is what the JSON text said (e.g. 0.1 → "0.1").
    text = Math.abs(value) < 1e21 ? String(value) : ""
    // Below 1e21 only magnitudes under 1e-6 print with an exponent: finer than a tiyn, so not an amount (rounding
    // them with toFixed(2) turned 1e-7 into a silent 0).
    if (text.includes("e")) return `amount ${text} has more precision than 1 tiyn (2 decimal places)`
  } else if (typeof value === "string") {
    const simple = decimalTiynAt(value, 0, value.length)
    if (simple >= 0) return simple as Tiyn
    text = value.trim()
    if (text.startsWith("-")) return `amount must not be negative, got ${JSON.stringify(value)}`
  } else {
    return `expected an amount as a number or decimal string, got ${value === null ? "null" : typeof value}`
  }
  const match = DECIMAL.exec(text)
  if (match === null) return `expected a decimal amount, got ${JSON.stringify(value)}`
  const whole = match[1] as string
  const fraction = (match[2] ?? "").replace(/0+$/u, "")
  if (fraction.length > 2) return `amount ${text} has more precision than 1 tiyn (2 decimal places)`
  const tiyn = Number(whole) * 100 + Number(fraction.padEnd(2, "0"))
  if (!Number.isSafeInteger(tiyn)) return `amount ${text} is too large`
  return tiyn as Tiyn
}

/** Formats tiyn as a tenge decimal string with two decimals ("1234.50"). */
export const formatTenge = (tiyn: number): string => {
  const sign = tiyn < 0 ? "-" : ""
  const abs = Math.abs(tiyn)
  const whole = Math.floor(abs / 100)
  const cents = abs - whole * 100
  return `${sign}${whole}.${cents < 10 ? "0" : ""}${cents}`
}

/** Adds tiyn amounts exactly; fails loudly rather than lose precision. */
export const addTiyn = (a: number, b: number): Tiyn => {
  const sum = a + b
  if (!Number.isSafeInteger(sum)) throw new RangeError(`tiyn sum ${a} + ${b} leaves the exact integer range`)
  return sum as Tiyn
}
