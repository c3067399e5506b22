import { Effect, Layer, Schema } from "effect"
import { compareFractions, fractionOfDecimal } from "../domain/Decimal.ts"
import type { Finding } from "../indicators/Finding.ts"
import {
  FindingFilter,
  FindingQuery,
  FindingStore,
  FindingStoreError,
  findingsWriteError,
  type MeasureRange
} from "../ports/FindingStore.ts"
import { textFilterProblem } from "../ports/textFilters.ts"
import { inStoredKeyOrder } from "../indicators/storedKeyOrder.ts"
import { compareCodePoints } from "../domain/codePointOrder.ts"

const DECIMAL = /^-?\d+(?:\.\d+)?$/u

/** Whether the finding's measure lies in the range, compared as exact decimals; a missing measure never does. */
export const measureInRange = (range: MeasureRange, x: Finding): boolean => {
  const text = x.measures[range.name]
  if (text === undefined || !DECIMAL.test(text)) return false
  const value = fractionOfDecimal(text)
  return (
    (range.min === undefined || compareFractions(value, fractionOfDecimal(range.min)) >= 0) &&
    (range.max === undefined || compareFractions(value, fractionOfDecimal(range.max)) <= 0)
  )
}

export const findingMatches = (f: FindingFilter, x: Finding): boolean =>
  (f.measure === undefined || measureInRange(f.measure, x)) &&
  (f.indicators === undefined || f.indicators.includes(x.indicator)) &&
  (f.regions === undefined || f.regions.includes(x.region)) &&
  (f.customerBin === undefined || x.customerBin === f.customerBin) &&
  (f.supplierBin === undefined || x.supplierBin === f.supplierBin) &&
  (f.dateFrom === undefined || (x.date !== null && x.date >= f.dateFrom)) &&
  (f.dateTo === undefined || (x.date !== null && x.date <= f.dateTo))

/**
 * A query checked as the SQL store checks it (limits, BINs, decimal bounds), so that tests on this store meet the
 * errors production meets: a typed `FindingStoreError`, never a defect from a bound that is no decimal.
 */
const checked = <A extends FindingFilter>(operation: string, schema: Schema.Codec<A, unknown>, input: unknown) =>
  Schema.decodeUnknownEffect(schema)(input).pipe(
    Effect.mapError((e) => new FindingStoreError({ operation, message: `invalid ${operation}: ${e.message}` })),
    Effect.flatMap((value) => {
      const afterKey = "afterKey" in value && typeof value.afterKey === "string" ? value.afterKey : undefined
      const problem = textFilterProblem([...(value.indicators ?? []), afterKey, value.measure?.name])
      return problem === undefined
        ? Effect.succeed(value)
        : Effect.fail(new FindingStoreError({ operation, message: `invalid ${operation}: ${problem}` }))
    })
  )

/** A FindingStore in process memory: findings keyed by their key, pages in key order. */
export const makeMemoryFindingStore = Effect.sync(() => {
  let byKey = new Map<string, Finding>()
  let sorted: ReadonlyArray<Finding> | undefined

  const inOrder = (): ReadonlyArray<Finding> => {
    sorted ??= [...byKey.values()].sort((a, b) => compareCodePoints(a.key, b.key))
    return sorted
  }

  return FindingStore.of({
    replace: (indicators, findings) =>
      Effect.suspend(() => {
        const refused = findingsWriteError(findings)
        if (refused !== undefined) return Effect.fail(refused)
        const next = new Map([...byKey].filter(([, f]) => !indicators.includes(f.indicator)))
        for (const f of findings) next.set(f.key, inStoredKeyOrder(f))
        byKey = next
        sorted = undefined
        return Effect.void
      }),
    query: (input) =>
      Effect.map(checked("query", FindingQuery, input), (q) => {
        const page: Array<Finding> = []
        let more = false
        for (const f of inOrder()) {
          if (q.afterKey !== undefined && compareCodePoints(f.key, q.afterKey) <= 0) continue
          if (!findingMatches(q, f)) continue
          if (page.length === q.limit) {
            more = true
            break
          }
          page.push(f)
        }
        return { findings: page, nextKey: more ? (page[page.length - 1]?.key ?? null) : null }
      }),
    counts: (input) =>
      Effect.map(checked("counts", FindingFilter, input), (filter) => {
        const counts = new Map<string, { indicator: string; region: Finding["region"]; count: number }>()
        for (const f of byKey.values()) {
          if (!findingMatches(filter, f)) continue
          const key = `${f.indicator}|${f.region}`
          const c = counts.get(key)
          if (c === undefined) counts.set(key, { indicator: f.indicator, region: f.region, count: 1 })
          else c.count++
        }
        return [...counts.values()].sort((a, b) =>
          a.indicator === b.indicator
            ? String(a.region).localeCompare(String(b.region))
            : compareCodePoints(a.indicator, b.indicator)
        )
      })
  })
})

export const layerMemoryFindingStore: Layer.Layer<FindingStore> = Layer.effect(FindingStore, makeMemoryFindingStore)
