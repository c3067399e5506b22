import { Schema } from "effect"
import { formatDecimal, formatFraction } from "../domain/Decimal.ts"
import { formatTenge } from "../domain/Money.ts"
import { contractFindingAt, forEachPassingRoot } from "./columnar.ts"
import { compareScaledRatio, exactThreshold } from "./exact.ts"
import { PercentThreshold, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"
import { planOrReason, reductionPercent } from "./reduction.ts"

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
    const threshold = exactThreshold(params.threshold)
    const thresholds = { threshold_pct: formatDecimal(params.threshold) }
    forEachPassingRoot(dataset, filters, sink, (_chain, root) => {
      const plan = planOrReason(dataset, root)
      if (typeof plan === "string") return sink.skip(plan)
      sink.evaluated()
      const contract = dataset.table.sumWnds[root] as number
      if (plan - contract <= 0 || compareScaledRatio(plan - contract, 100, plan, threshold) > 0) return
      const pct = formatFraction(reductionPercent(plan, contract))
      const planText = formatTenge(plan)
      const sum = formatTenge(contract)
      sink.emit(
        contractFindingAt(
          dataset,
          "minimal-dumping",
          root,
          { plan_sum: planText, contract_sum: sum, reduction_pct: pct },
          thresholds,
          {
            ru: `Сумма договора ${sum} тг ниже плановой ${planText} тг всего на ${pct}% (порог ${thresholds.threshold_pct}%).`,
            en: `The contract sum ${sum} KZT is only ${pct}% below the planned ${planText} KZT (threshold ${thresholds.threshold_pct}%).`
          }
        )
      )
    })
  }
}
