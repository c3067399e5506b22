import { Schema } from "effect"
import { compareScaledRatio } from "./exact.ts"
import { PercentThreshold, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"
import { evaluateReduction } from "./reduction.ts"

export const SuperDumpingParams = Schema.Struct({
  threshold: withDefault(PercentThreshold, 30)
})
export type SuperDumpingParams = typeof SuperDumpingParams.Type

export const superDumping: Indicator<SuperDumpingParams> = {
  code: "super-dumping",
  titles: { ru: "Сверхдемпинг", kk: "Аса демпинг", en: "Super-dumping" },
  formula: "r = (P − C) × 100 / P; flag when r > T",
  description:
    "The contract price C is far below the planned sum P (the lots its units reference): an unrealistically low bid " +
    "that is often made up later by amendments or poor delivery.",
  scope: "contract",
  params: SuperDumpingParams,
  measureDocs: [
    { name: "plan_sum", description: "P, tenge: the plan sum of the root contract's lots", kind: "decimal" },
    { name: "contract_sum", description: "C, tenge: contract_sum_wnds of the root contract", kind: "decimal" },
    { name: "reduction_pct", description: "r = (P − C) × 100 / P, percent", kind: "decimal" }
  ],
  parameterDocs: [{ name: "threshold", description: "T, percent: flag when the reduction exceeds it", default: 30 }],
  evaluate: evaluateReduction(
    "super-dumping",
    (reduction, plan, threshold) => compareScaledRatio(reduction, 100, plan, threshold) > 0,
    (t) => ({
      ru: `Сумма договора ${t.sum} тг ниже плановой ${t.plan} тг на ${t.pct}% (порог ${t.threshold}%).`,
      en: `The contract sum ${t.sum} KZT is ${t.pct}% below the planned ${t.plan} KZT (threshold ${t.threshold}%).`
    })
  )
}
