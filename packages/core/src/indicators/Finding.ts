import { Schema } from "effect"
import { Bin } from "../domain/Bin.ts"
import { ContractId, Instant } from "../domain/Ids.ts"
import { RegionCode } from "../domain/Region.ts"

export const ContractSubject = Schema.TaggedStruct("contract", { contractId: ContractId })
export const PairSubject = Schema.TaggedStruct("pair", { customerBin: Bin, supplierBin: Bin })
export const FindingSubject = Schema.Union([ContractSubject, PairSubject])
export type FindingSubject = typeof FindingSubject.Type

export const Explanation = Schema.Struct({ ru: Schema.String, en: Schema.String })
export type Explanation = typeof Explanation.Type

/**
 * One red flag. Measures and thresholds are decimal strings (exact, engine-independent): money in tenge with two
 * decimals, percentages and shares rounded half away from zero to 4 decimals, counts and days as integers.
 */
export const Finding = Schema.Struct({
  indicator: Schema.String,
  /** Stable identity of the finding within a run: `<indicator>:<contract id>` or `<indicator>:<customer>:<supplier>`. */
  key: Schema.String,
  subject: FindingSubject,
  customerBin: Bin,
  supplierBin: Bin,
  /** The customer's region; null when the customer's KATO code is unknown. */
  region: Schema.NullOr(RegionCode),
  /** The root contract's sign date (else creation time); for a pair, the latest such date among its contracts. */
  date: Schema.NullOr(Instant),
  measures: Schema.Record(Schema.String, Schema.String),
  thresholds: Schema.Record(Schema.String, Schema.String),
  explanation: Explanation
})
export type Finding = typeof Finding.Type

export const contractFindingKey = (indicator: string, contractId: number): string => `${indicator}:${contractId}`
export const pairFindingKey = (indicator: string, customerBin: string, supplierBin: string): string =>
  `${indicator}:${customerBin}:${supplierBin}`

/** Deterministic order of findings: by indicator, then key. */
export const compareFindings = (a: Finding, b: Finding): number =>
  a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0
