import { Schema } from "effect"
import { formatDecimal, formatFraction } from "../domain/Decimal.ts"
import { formatTenge } from "../domain/Money.ts"
import { contractFindingAt, forEachPassingRoot } from "./columnar.ts"
import { compareScaledRatio, exactThreshold } from "./exact.ts"
import { PercentThreshold, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"
import { planOrReason, reductionPercent } from "./reduction.ts"

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
    const threshold = exactThreshold(params.threshold)
    const thresholds = { threshold_pct: formatDecimal(params.threshold) }
    forEachPassingRoot(dataset, filters, sink, (_chain, root) => {
      const plan = planOrReason(dataset, root)
      if (typeof plan === "string") return sink.skip(plan)
      sink.evaluated()
      const contract = dataset.table.sumWnds[root] as number
      if (compareScaledRatio(plan - contract, 100, plan, threshold) <= 0) return
      const pct = formatFraction(reductionPercent(plan, contract))
      const planText = formatTenge(plan)
      const sum = formatTenge(contract)
      sink.emit(
        contractFindingAt(
          dataset,
          "super-dumping",
          root,
          { plan_sum: planText, contract_sum: sum, reduction_pct: pct },
          thresholds,
          {
            ru: `Сумма договора ${sum} тг ниже плановой ${planText} тг на ${pct}% (порог ${thresholds.threshold_pct}%).`,
            en: `The contract sum ${sum} KZT is ${pct}% below the planned ${planText} KZT (threshold ${thresholds.threshold_pct}%).`
          }
        )
      )
    })
  }
}
