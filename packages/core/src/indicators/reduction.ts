import { type Fraction, fraction } from "../domain/Decimal.ts"
import type { AnalysisDataset } from "./Dataset.ts"
import type { FilteredRoot } from "./evaluation.ts"

export const PLAN_SUM_UNKNOWN = "plan sum unknown (no units with lots)"
export const PLAN_SUM_NOT_POSITIVE = "plan sum not positive"

export interface Reduction {
  readonly plan: number
  readonly contract: number
  /** (P − C) × 100 / P, exact. */
  readonly percent: Fraction
}

/**
 * The price reduction of a root contract against its plan: P is the sum of the distinct lots its units reference,
 * C its `contract_sum_wnds`. Returns the skip reason when P is unknown or not positive.
 */
export const reductionOf = (dataset: AnalysisDataset, root: FilteredRoot): Reduction | string => {
  const plan = dataset.planSum(root.id)
  if (plan === undefined) return PLAN_SUM_UNKNOWN
  if (plan <= 0) return PLAN_SUM_NOT_POSITIVE
  const contract = root.sumWnds
  return { plan, contract, percent: fraction((BigInt(plan) - BigInt(contract)) * 100n, BigInt(plan)) }
}
