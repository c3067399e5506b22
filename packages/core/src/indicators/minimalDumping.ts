import { Schema } from "effect"
import { compareScaledRatio } from "./exact.ts"
import { PercentThreshold, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"
import { evaluateReduction } from "./reduction.ts"

export const MinimalDumpingParams = Schema.Struct({
  threshold: withDefault(PercentThreshold, 1)
})
export type MinimalDumpingParams = typeof MinimalDumpingParams.Type

export const minimalDumping: Indicator<MinimalDumpingParams> = {
  code: "minimal-dumping",
  titles: { ru: "Минимальный демпинг", kk: "Ең аз демпинг", en: "Minimal dumping" },
  formula: "r = (P − C) × 100 / P; flag when 0 < r ≤ T",
  description:
    "The contract price sits just below the planned sum: a token reduction that can mean the winner knew the " +
    "ceiling, or that competition was staged.",
  scope: "contract",
  params: MinimalDumpingParams,
  measureDocs: [
    { name: "plan_sum", description: "P, tenge: the plan sum of the root contract's lots", kind: "decimal" },
    { name: "contract_sum", description: "C, tenge: contract_sum_wnds of the root contract", kind: "decimal" },
    { name: "reduction_pct", description: "r = (P − C) × 100 / P, percent", kind: "decimal" }
  ],
  parameterDocs: [{ name: "threshold", description: "T, percent: flag when 0 < reduction ≤ T", default: 1 }],
  evaluate: evaluateReduction(
    "minimal-dumping",
    (reduction, plan, threshold) => reduction > 0 && compareScaledRatio(reduction, 100, plan, threshold) <= 0,
    (t) => ({
      ru: `Сумма договора ${t.sum} тг ниже плановой ${t.plan} тг всего на ${t.pct}% (порог ${t.threshold}%).`,
      en: `The contract sum ${t.sum} KZT is only ${t.pct}% below the planned ${t.plan} KZT (threshold ${t.threshold}%).`
    })
  )
}
