import { Schema } from "effect"
import { compareFractions, formatDecimal, formatFraction, fractionOfDecimal } from "../domain/Decimal.ts"
import { formatTenge } from "../domain/Money.ts"
import { contractFinding, forEachFilteredRoot } from "./evaluation.ts"
import { PercentThreshold, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"
import { reductionOf } from "./reduction.ts"

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
  parameterDocs: [{ name: "threshold", description: "T, percent: flag when the reduction exceeds it", default: 30 }],
  evaluate: (dataset, params, filters, sink) => {
    const threshold = fractionOfDecimal(params.threshold)
    const thresholds = { threshold_pct: formatDecimal(params.threshold) }
    forEachFilteredRoot(dataset, filters, sink, (_chain, root) => {
      const reduction = reductionOf(dataset, root)
      if (typeof reduction === "string") return sink.skip(reduction)
      sink.evaluated()
      if (compareFractions(reduction.percent, threshold) <= 0) return
      const pct = formatFraction(reduction.percent)
      const plan = formatTenge(reduction.plan)
      const sum = formatTenge(reduction.contract)
      sink.emit(
        contractFinding(
          dataset,
          "super-dumping",
          root,
          { plan_sum: plan, contract_sum: sum, reduction_pct: pct },
          thresholds,
          {
            ru: `Сумма договора ${sum} тг ниже плановой ${plan} тг на ${pct}% (порог ${thresholds.threshold_pct}%).`,
            en: `The contract sum ${sum} KZT is ${pct}% below the planned ${plan} KZT (threshold ${thresholds.threshold_pct}%).`
          }
        )
      )
    })
  }
}
