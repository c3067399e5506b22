import { Schema } from "effect"
import { binCheckDigit } from "./binDigits.ts"

export { binCheckDigit } from "./binDigits.ts"

const TWELVE_DIGITS = /^\d{12}$/u

/** Why a string is not a valid BIN, or `undefined` when it is one. */
export const binProblem = (value: string): string | undefined => {
  if (!TWELVE_DIGITS.test(value)) return `BIN must be exactly 12 digits, got ${JSON.stringify(value)}`
  const expected = binCheckDigit(value)
  if (expected === undefined)
    return `BIN ${value} is invalid: its first 11 digits admit no check digit (mod 11 gives 10 twice)`
  const actual = value.charCodeAt(11) - 48
  if (actual !== expected)
    return `BIN ${value} fails the check digit rule: expected last digit ${expected}, got ${actual}`
  return undefined
}

export const isValidBin = (value: string): boolean => binProblem(value) === undefined

export const Bin = Schema.String.check(
  Schema.isPattern(TWELVE_DIGITS, { message: "BIN must be exactly 12 digits" }),
  Schema.makeFilter((value: string) => binProblem(value) ?? true, {
    identifier: "BinCheckDigit",
    description: "a 12-digit BIN/IIN with a valid mod-11 check digit"
  })
).pipe(Schema.brand("Bin"))
export type Bin = typeof Bin.Type

/** Completes 11 digits with their check digit; `undefined` when no check digit exists for them. */
export const completeBin = (first11: string): Bin | undefined => {
  const check = binCheckDigit(first11)
  return check === undefined ? undefined : (`${first11}${check}` as Bin)
}
