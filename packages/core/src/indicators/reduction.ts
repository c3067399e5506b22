import { type Fraction, fraction } from "../domain/Decimal.ts"
import type { AnalysisDataset } from "./Dataset.ts"

export const PLAN_SUM_UNKNOWN = "plan sum unknown (no units with lots)"
export const PLAN_SUM_NOT_POSITIVE = "plan sum not positive"

/** (P − C) × 100 / P as an exact fraction (P > 0). */
export const reductionPercent = (plan: number, contract: number): Fraction =>
  fraction((BigInt(plan) - BigInt(contract)) * 100n, BigInt(plan))

/** P of root version `i`, or the skip reason when it is unknown or not positive. */
export const planOrReason = (dataset: AnalysisDataset, i: number): number | string => {
  const plan = dataset.planSumAt(i)
  if (Number.isNaN(plan)) return PLAN_SUM_UNKNOWN
  if (plan <= 0) return PLAN_SUM_NOT_POSITIVE
  return plan
}
