import { Schema } from "effect"
import { type Fraction, formatDecimal, formatFraction, fraction } from "../domain/Decimal.ts"
import { formatTenge } from "../domain/Money.ts"
import { contractFindingAt, forEachPassingRoot } from "./columnar.ts"
import { compareScaledRatio, type ExactThreshold, exactThreshold } from "./exact.ts"
import { GrowthThreshold, withDefault } from "./Filters.ts"
import type { Indicator } from "./Indicator.ts"

export const SumGrowthParams = Schema.Struct({
  threshold: withDefault(GrowthThreshold, 20)
})
export type SumGrowthParams = typeof SumGrowthParams.Type

export const SINGLE_VERSION = "no amendments (single version)"

/** (last − first) × 100 / first, or undefined when either is missing or first is zero (undefined, not infinite). */
export const growthPercent = (first: number | null, last: number | null): Fraction | undefined =>
  first === null || last === null || first === 0
    ? undefined
    : fraction((BigInt(last) - BigInt(first)) * 100n, BigInt(first))

/** Whether (last − first) × 100 / first exceeds T; never when either is missing (NaN) or first is zero. */
const grows = (first: number, last: number, threshold: ExactThreshold): boolean => {
  if (Number.isNaN(first) || Number.isNaN(last) || first === 0) return false
  return first > 0
    ? compareScaledRatio(last - first, 100, first, threshold) > 0
    : compareScaledRatio(first - last, 100, -first, threshold) > 0
}

export const sumGrowth: Indicator<SumGrowthParams> = {
  code: "sum-growth",
  titles: { ru: "Рост суммы договора", kk: "Шарт сомасының өсуі", en: "Contract sum growth" },
  formula:
    "chain order: the root first, then amendments by (sign_date, crdate, id), unsigned last; " +
    "growth = (S_last − S_first) × 100 / S_first on contract_sum_wnds and " +
    "on fakt_sum_wnds; flag when either > T",
  description:
    "Amendments raised the contract's sum (or its actual sum) well above what was won at tender — a common way " +
    "to recover a dumped price or pay for work never competed.",
  scope: "chain",
  params: SumGrowthParams,
  measureDocs: [
    { name: "versions", description: "non-deleted versions of the chain", kind: "decimal" },
    { name: "sum_first", description: "contract_sum_wnds of the first version, tenge", kind: "decimal" },
    { name: "sum_last", description: "contract_sum_wnds of the last version, tenge", kind: "decimal" },
    { name: "sum_growth_pct", description: "growth of contract_sum_wnds, percent", kind: "decimal" },
    { name: "fakt_first", description: "fakt_sum_wnds of the first version, tenge", kind: "decimal" },
    { name: "fakt_last", description: "fakt_sum_wnds of the last version, tenge", kind: "decimal" },
    { name: "fakt_growth_pct", description: "growth of fakt_sum_wnds, percent", kind: "decimal" }
  ],
  parameterDocs: [{ name: "threshold", description: "T, percent: flag when either growth exceeds it", default: 20 }],
  evaluate: (dataset, params, filters, sink) => {
    const threshold = exactThreshold(params.threshold)
    const thresholds = { threshold_pct: formatDecimal(params.threshold) }
    const chains = dataset.chainTable
    const c = dataset.table
    forEachPassingRoot(dataset, filters, sink, (chain, root) => {
      const from = chains.versionStart[chain] as number
      const to = chains.versionStart[chain + 1] as number
      if (to - from < 2) return sink.skip(SINGLE_VERSION)
      sink.evaluated()
      const firstAt = chains.versions[from] as number
      const lastAt = chains.versions[to - 1] as number
      const sumFlag = grows(c.sumWnds[firstAt] as number, c.sumWnds[lastAt] as number, threshold)
      const faktFlag = grows(c.faktSumWnds[firstAt] as number, c.faktSumWnds[lastAt] as number, threshold)
      if (!sumFlag && !faktFlag) return
      const count = to - from
      const first = dataset.factsAt(firstAt)
      const last = dataset.factsAt(lastAt)
      const sumGrowthPct = growthPercent(first.sumWnds, last.sumWnds)
      const faktGrowthPct = growthPercent(first.faktSumWnds, last.faktSumWnds)
      const measures: Record<string, string> = { versions: String(count) }
      if (first.sumWnds !== null) measures.sum_first = formatTenge(first.sumWnds)
      if (last.sumWnds !== null) measures.sum_last = formatTenge(last.sumWnds)
      if (sumGrowthPct !== undefined) measures.sum_growth_pct = formatFraction(sumGrowthPct)
      if (first.faktSumWnds !== null) measures.fakt_first = formatTenge(first.faktSumWnds)
      if (last.faktSumWnds !== null) measures.fakt_last = formatTenge(last.faktSumWnds)
      if (faktGrowthPct !== undefined) measures.fakt_growth_pct = formatFraction(faktGrowthPct)
      const what = [
        sumFlag
          ? {
              ru: `сумма договора выросла на ${measures.sum_growth_pct}% (${measures.sum_first} → ${measures.sum_last} тг)`,
              en: `the contract sum grew ${measures.sum_growth_pct}% (${measures.sum_first} → ${measures.sum_last} KZT)`
            }
          : undefined,
        faktFlag
          ? {
              ru: `фактическая сумма выросла на ${measures.fakt_growth_pct}% (${measures.fakt_first} → ${measures.fakt_last} тг)`,
              en: `the actual sum grew ${measures.fakt_growth_pct}% (${measures.fakt_first} → ${measures.fakt_last} KZT)`
            }
          : undefined
      ].filter((x) => x !== undefined)
      sink.emit(
        contractFindingAt(dataset, "sum-growth", root, measures, thresholds, {
          ru: `За ${count} верс. договора ${what.map((w) => w.ru).join("; ")} (порог ${thresholds.threshold_pct}%).`,
          en: `Over ${count} versions ${what.map((w) => w.en).join("; ")} (threshold ${thresholds.threshold_pct}%).`
        })
      )
    })
  }
}
