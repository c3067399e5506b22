/**
 * Kazakhstan's business / individual identification number (BIN / IIN): 12 digits, the 12th a check digit.
 * The check digit is the weighted sum of the first 11 digits mod 11 with weights 1..11; when that gives 10,
 * the sum is taken again with weights 3..11,1,2; a second 10 means the number cannot be valid.
 * Kept free of any import so that the JSONL fast path (in worker threads) can check BINs without loading effect.
 */
const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const

const weightedMod11 = (digits: string, from: number, weights: ReadonlyArray<number>): number => {
  let sum = 0
  for (let i = 0; i < 11; i++) sum += (digits.charCodeAt(from + i) - 48) * (weights[i] as number)
  return sum % 11
}

const checkDigitAt = (text: string, from: number): number | undefined => {
  const first = weightedMod11(text, from, FIRST_WEIGHTS)
  if (first !== 10) return first
  const second = weightedMod11(text, from, SECOND_WEIGHTS)
  return second === 10 ? undefined : second
}

/** The check digit the first 11 digits call for, or `undefined` when no digit can be valid. */
export const binCheckDigit = (first11: string): number | undefined => checkDigitAt(first11, 0)

/**
 * The number of a valid BIN written as exactly 12 digits at `text[from, from + 12)`, or -1 when those are not
 * 12 digits with a right check digit (the caller then reads the value the general way, for the reason).
 */
export const binCodeAt = (text: string, from: number): number => {
  let code = 0
  for (let i = 0; i < 12; i++) {
    const d = text.charCodeAt(from + i) - 48
    if (d < 0 || d > 9) return -1
    code = code * 10 + d
  }
  return checkDigitAt(text, from) === text.charCodeAt(from + 11) - 48 ? code : -1
}

/** `binCodeAt` over bytes (ASCII digits) at `bytes[from, from + 12)`. */
export const binCodeOfBytes = (bytes: Uint8Array, from: number): number => {
  let code = 0
  let first = 0
  let second = 0
  for (let i = 0; i < 11; i++) {
    const d = (bytes[from + i] as number) - 48
    if (d < 0 || d > 9) return -1
    code = code * 10 + d
    first += d * (FIRST_WEIGHTS[i] as number)
    second += d * (SECOND_WEIGHTS[i] as number)
  }
  const last = (bytes[from + 11] as number) - 48
  if (last < 0 || last > 9) return -1
  first %= 11
  const check = first !== 10 ? first : second % 11
  return check === last ? code * 10 + last : -1
}
