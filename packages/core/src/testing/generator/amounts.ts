import { formatTenge } from "../../domain/Money.ts"

/**
 * Money of the generated data, in tiyn (1 tenge = 100 tiyn). Planted boundary cases need exact percentages, so
 * their amounts are multiples of `EXACT_UNIT`: then any change by whole basis points is a whole number of tiyn.
 */
export const EXACT_UNIT = 10_000

/** Basis points: 1 % = 100 bp. */
const BP = 10_000

/** `amount` lowered by `bp` basis points, exactly; throws when that is not a whole number of tiyn. */
export const lessBy = (amount: number, bp: number): number => scaled(amount, BP - bp)

/** `amount` raised by `bp` basis points, exactly; throws when that is not a whole number of tiyn. */
export const moreBy = (amount: number, bp: number): number => scaled(amount, BP + bp)

const scaled = (amount: number, factor: number): number => {
  const product = amount * factor
  if (!Number.isSafeInteger(product) || product % BP !== 0) {
    throw new RangeError(`${amount} tiyn × ${factor}/${BP} is not a whole number of tiyn`)
  }
  return product / BP
}

/** The amount without 12 % VAT, rounded to the tiyn (only `*_wnds` sums matter to the indicators). */
export const withoutVat = (withVat: number): number => Math.round((withVat * 100) / 112)

/**
 * A tenge amount as OWS exports give it: a JSON number or a decimal string. Tiyn / 100 prints back as the same
 * two-decimal value for every amount below ~10^13 tenge, far above any generated sum.
 */
export const renderMoney = (tiyn: number, asText: boolean): number | string => (asText ? formatTenge(tiyn) : tiyn / 100)
