import { Schema } from "effect"

/**
 * Kazakhstan's business / individual identification number (BIN / IIN): 12 digits, the 12th a check digit.
 * The check digit is the weighted sum of the first 11 digits mod 11 with weights 1..11; when that gives 10,
 * the sum is taken again with weights 3..11,1,2; a second 10 means the number cannot be valid.
 */
const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const

const weightedMod11 = (digits: string, weights: ReadonlyArray<number>): number => {
  let sum = 0
  for (let i = 0; i < 11; i++) sum += (digits.charCodeAt(i) - 48) * (weights[i] as number)
  return sum % 11
}

/** The check digit the first 11 digits call for, or `undefined` when no digit can be valid. */
export const binCheckDigit = (first11: string): number | undefined => {
  const first = weightedMod11(first11, FIRST_WEIGHTS)
  if (first !== 10) return first
  const second = weightedMod11(first11, SECOND_WEIGHTS)
  return second === 10 ? undefined : second
}

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
