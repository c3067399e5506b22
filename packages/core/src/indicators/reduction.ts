import { type Fraction, formatDecimal, formatFraction, fraction } from "../domain/Decimal.ts"
import { formatTenge } from "../domain/Money.ts"
import { contractFindingAt, forEachPassingRoot } from "./columnar.ts"
import type { AnalysisDataset } from "./Dataset.ts"
import { type ExactThreshold, exactThreshold } from "./exact.ts"
import type { CommonFilters } from "./Filters.ts"
import type { Explanation } from "./Finding.ts"
import type { EvaluationSink } from "./Indicator.ts"

export const PLAN_SUM_UNKNOWN = "plan sum unknown (no units with lots)"
export const PLAN_SUM_NOT_POSITIVE = "plan sum not positive"
export const PLAN_SUM_BEYOND_RANGE = "plan sum beyond 2^53 tiyn"

/** (P − C) × 100 / P as an exact fraction (P > 0). */
export const reductionPercent = (plan: number, contract: number): Fraction =>
  fraction((BigInt(plan) - BigInt(contract)) * 100n, BigInt(plan))

/** P of root version `i`, or the skip reason when it is unknown or not positive. */
export const planOrReason = (dataset: AnalysisDataset, i: number): number | string => {
  const plan = dataset.planSumAt(i)
  if (Number.isNaN(plan)) return PLAN_SUM_UNKNOWN
  if (plan <= 0) return PLAN_SUM_NOT_POSITIVE
  if (plan === Number.POSITIVE_INFINITY) return PLAN_SUM_BEYOND_RANGE
  return plan
}

/** The shared evaluation of the two dumping indicators; they differ in which reductions flag and in wording. */
export const evaluateReduction =
  (
    code: string,
    flags: (reductionScaled: number, plan: number, threshold: ExactThreshold) => boolean,
    explain: (t: { sum: string; plan: string; pct: string; threshold: string }) => Explanation
  ) =>
  (dataset: AnalysisDataset, params: { readonly threshold: number }, filters: CommonFilters, sink: EvaluationSink) => {
    const threshold = exactThreshold(params.threshold)
    const thresholds = { threshold_pct: formatDecimal(params.threshold) }
    forEachPassingRoot(dataset, filters, sink, (_chain, root) => {
      const plan = planOrReason(dataset, root)
      if (typeof plan === "string") return sink.skip(plan)
      sink.evaluated()
      const contract = dataset.table.sumWnds[root] as number
      if (!flags(plan - contract, plan, threshold)) return
      const pct = formatFraction(reductionPercent(plan, contract))
      const planText = formatTenge(plan)
      const sum = formatTenge(contract)
      sink.emit(
        contractFindingAt(
          dataset,
          code,
          root,
          { plan_sum: planText, contract_sum: sum, reduction_pct: pct },
          thresholds,
          explain({ sum, plan: planText, pct, threshold: thresholds.threshold_pct })
        )
      )
    })
  }
