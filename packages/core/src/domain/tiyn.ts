/**
 * The common, valid shapes of tenge amounts turned into tiyn without allocating — shared by `parseTenge` and the
 * JSONL fast path (which runs in worker threads and must not load effect, so this module imports nothing).
 * Each returns -1 for anything else; `parseTenge` then applies its general rules and names the reason.
 */

/** A JSON number below 10^13 tenge written with at most two decimals: exactly round(value × 100). */
export const simpleTiyn = (value: number): number => {
  // Below 10^13 tenge (15 significant digits in tiyn) a double that survives ×100, round, ÷100 unchanged was
  // written with at most two decimals, so the rounded product is its exact tiyn value.
  if (value >= 0 && value < 1e13) {
    const tiyn = Math.round(value * 100)
    if (tiyn / 100 === value) return tiyn
  }
  return -1
}

const MAX_WHOLE_DIGITS = 13

/**
 * Decimal text `digits[.digits]` at `text[from, to)` with at most two significant decimals (trailing zeros
 * ignored) and at most 13 whole digits (so the tiyn value is a safe integer).
 */
export const decimalTiynAt = (text: string, from: number, to: number): number => {
  let whole = 0
  let i = from
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    whole = whole * 10 + d
  }
  const wholeDigits = i - from
  if (wholeDigits === 0 || wholeDigits > MAX_WHOLE_DIGITS) return -1
  if (i === to) return whole * 100
  if (text.charCodeAt(i) !== 46 || i + 1 === to) return -1
  for (let j = i + 1; j < to; j++) {
    const d = text.charCodeAt(j) - 48
    if (d < 0 || d > 9) return -1
  }
  let last = to
  while (last > i + 1 && text.charCodeAt(last - 1) === 48) last--
  const decimals = last - i - 1
  if (decimals > 2) return -1
  const tenths = decimals >= 1 ? text.charCodeAt(i + 1) - 48 : 0
  const hundredths = decimals === 2 ? text.charCodeAt(i + 2) - 48 : 0
  return whole * 100 + tenths * 10 + hundredths
}

/** `decimalTiynAt` over bytes (ASCII) at `bytes[from, to)`. */
export const decimalTiynOfBytes = (bytes: Uint8Array, from: number, to: number): number => {
  let whole = 0
  let i = from
  for (; i < to; i++) {
    const d = (bytes[i] as number) - 48
    if (d < 0 || d > 9) break
    whole = whole * 10 + d
  }
  const wholeDigits = i - from
  if (wholeDigits === 0 || wholeDigits > MAX_WHOLE_DIGITS) return -1
  if (i === to) return whole * 100
  if (bytes[i] !== 46 || i + 1 === to) return -1
  for (let j = i + 1; j < to; j++) {
    const d = (bytes[j] as number) - 48
    if (d < 0 || d > 9) return -1
  }
  let last = to
  while (last > i + 1 && bytes[last - 1] === 48) last--
  const decimals = last - i - 1
  if (decimals > 2) return -1
  const tenths = decimals >= 1 ? (bytes[i + 1] as number) - 48 : 0
  const hundredths = decimals === 2 ? (bytes[i + 2] as number) - 48 : 0
  return whole * 100 + tenths * 10 + hundredths
}
