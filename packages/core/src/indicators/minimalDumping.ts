import { Schema } from "effect"
import { compareFractions, formatDecimal, formatFraction, fractionOfDecimal } from "../domain/Decimal.ts"
import { formatTenge } from "../domain/Money.ts"
import { contractFinding, forEachFilteredRoot } from "./evaluation.ts"
import { PercentThreshold, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"
import { reductionOf } from "./reduction.ts"

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
  parameterDocs: [{ name: "threshold", description: "T, percent: flag when 0 < reduction ≤ T", default: 1 }],
  evaluate: (dataset, params, filters, sink) => {
    const threshold = fractionOfDecimal(params.threshold)
    const thresholds = { threshold_pct: formatDecimal(params.threshold) }
    forEachFilteredRoot(dataset, filters, sink, (_chain, root) => {
      const reduction = reductionOf(dataset, root)
      if (typeof reduction === "string") return sink.skip(reduction)
      sink.evaluated()
      if (reduction.percent.num <= 0n || compareFractions(reduction.percent, threshold) > 0) return
      const pct = formatFraction(reduction.percent)
      const plan = formatTenge(reduction.plan)
      const sum = formatTenge(reduction.contract)
      sink.emit(
        contractFinding(
          dataset,
          "minimal-dumping",
          root,
          { plan_sum: plan, contract_sum: sum, reduction_pct: pct },
          thresholds,
          {
            ru: `Сумма договора ${sum} тг ниже плановой ${plan} тг всего на ${pct}% (порог ${thresholds.threshold_pct}%).`,
            en: `The contract sum ${sum} KZT is only ${pct}% below the planned ${plan} KZT (threshold ${thresholds.threshold_pct}%).`
          }
        )
      )
    })
  }
}
