import { Effect, Layer, Option, Schema, Stream } from "effect"
import {
  type Contract,
  type ContractUnit,
  type Lot,
  type Payment,
  type ProcurementRecord,
  type RecordKind,
  type RefBookEntry,
  recordsByKind,
  type Subject
} from "../domain/Contract.ts"
import { makeChain } from "../domain/ContractChain.ts"
import type { ContractId } from "../domain/Ids.ts"
import { regionOfKato } from "../domain/Region.ts"
import {
  ContractQuery,
  ContractStore,
  ContractStoreError,
  foldBatch,
  recordsWriteError,
  supersedesByDate,
  type UpsertCounts,
  upsertCounts
} from "../ports/ContractStore.ts"
import { textFilterProblem } from "../ports/textFilters.ts"

const sameRecord = (a: object, b: object): boolean => {
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  for (const key of Object.keys(ra)) if (ra[key] !== rb[key]) return false
  return Object.keys(ra).length === Object.keys(rb).length
}

interface Tables {
  readonly contracts: Map<number, Contract>
  readonly units: Map<number, ContractUnit>
  readonly lots: Map<number, Lot>
  readonly payments: Map<number, Payment>
  readonly subjects: Map<string, Subject>
  readonly refs: Map<string, RefBookEntry>
}

/** The chain key of a version: its root id, else the top of its parent line as far as the store knows it. */
const chainKey = (contracts: ReadonlyMap<number, Contract>, c: Contract): number => {
  let current = c
  for (let steps = 0; steps < 10_000; steps++) {
    if (current.rootId !== null) return current.rootId
    if (current.parentId === null) return current.id
    const parent = contracts.get(current.parentId)
    if (parent === undefined) return current.parentId
    current = parent
  }
  // The version reached by the last step counts with its root id, as core's chainKeyAt and the SQL walk take it.
  return current.rootId ?? current.id
}

/**
 * A ContractStore in process memory, for tests and small embedded uses. Same idempotency rules as the SQL
 * stores; searches scan (fine for the thousands of contracts such uses hold, not for millions).
 */
export const makeMemoryContractStore = Effect.sync(() => {
  const t: Tables = {
    contracts: new Map(),
    units: new Map(),
    lots: new Map(),
    payments: new Map(),
    subjects: new Map(),
    refs: new Map()
  }

  type Counts = { inserted: number; updated: number; unchanged: number }

  const put = <K, V extends object>(
    table: Map<K, V>,
    key: K,
    value: V,
    counts: Counts,
    replaces: (stored: V) => boolean = () => true
  ): void => {
    const stored = table.get(key)
    if (stored === undefined) {
      table.set(key, value)
      counts.inserted++
    } else if (sameRecord(stored, value) || !replaces(stored)) {
      counts.unchanged++
    } else {
      table.set(key, value)
      counts.updated++
    }
  }

  /**
   * Folds one kind's records (as every ContractStore counts a batch: see foldBatch) and puts them into its table.
   * The kinds are folded apart, each with its counts: an upsert reports them per kind.
   */
  const putAll = <K, V extends object>(
    table: Map<K, V>,
    values: ReadonlyArray<V>,
    keyOf: (value: V) => K,
    byKind: Partial<Record<RecordKind, Counts>>,
    kind: RecordKind,
    newer?: (incoming: V, stored: V) => boolean
  ): void => {
    if (values.length === 0) return
    const counts: Counts = { inserted: 0, updated: 0, unchanged: 0 }
    byKind[kind] = counts
    for (const value of foldBatch(values, keyOf, counts, newer)) {
      put(table, keyOf(value), value, counts, newer === undefined ? undefined : (stored) => newer(value, stored))
    }
  }

  const newest = (
    incoming: { readonly lastUpdateDate: number | null },
    stored: { readonly lastUpdateDate: number | null }
  ) => supersedesByDate(incoming.lastUpdateDate, stored.lastUpdateDate)

  const upsertSync = (records: ReadonlyArray<ProcurementRecord>): UpsertCounts => {
    const given = recordsByKind(records)
    const byKind: Partial<Record<RecordKind, Counts>> = {}
    putAll(t.subjects, given.subject, (s) => s.bin, byKind, "subject")
    putAll(t.refs, given.ref, (r) => `${r.book}:${r.id}`, byKind, "ref")
    putAll(t.lots, given.lot, (l) => l.id as number, byKind, "lot", newest)
    putAll(t.contracts, given.contract, (c) => c.id as number, byKind, "contract", newest)
    putAll(t.units, given.unit, (u) => u.id as number, byKind, "unit")
    putAll(t.payments, given.payment, (p) => p.id as number, byKind, "payment")
    return upsertCounts(byKind)
  }

  const regionOfBin = (bin: string | null) => {
    if (bin === null) return undefined
    const kato = t.subjects.get(bin)?.kato
    return kato === null || kato === undefined ? undefined : regionOfKato(kato)
  }

  const inScope = (regions: ReadonlyArray<string> | undefined, c: Contract): boolean => {
    if (regions === undefined) return true
    const region = regionOfBin(c.customerBin)
    return region !== undefined && regions.includes(region)
  }

  const matches = (q: ContractQuery, c: Contract): boolean =>
    (q.customerBin === undefined || c.customerBin === q.customerBin) &&
    (q.supplierBin === undefined || c.supplierBin === q.supplierBin) &&
    (q.number === undefined || c.contractNumber === q.number || c.contractNumberSys === q.number) &&
    (q.signedFrom === undefined || (c.signDate !== null && c.signDate >= q.signedFrom)) &&
    (q.signedTo === undefined || (c.signDate !== null && c.signDate <= q.signedTo)) &&
    (q.afterId === undefined || c.id > q.afterId) &&
    inScope(q.regions, c)

  function* allRecords(): Generator<ProcurementRecord> {
    for (const value of t.subjects.values()) yield { kind: "subject", value }
    for (const value of t.refs.values()) yield { kind: "ref", value }
    for (const value of t.lots.values()) yield { kind: "lot", value }
    for (const value of t.contracts.values()) yield { kind: "contract", value }
    for (const value of t.units.values()) yield { kind: "unit", value }
    for (const value of t.payments.values()) yield { kind: "payment", value }
  }

  return ContractStore.of({
    upsert: (records) =>
      Effect.suspend(() => {
        const refused = recordsWriteError(records)
        return refused === undefined ? Effect.succeed(upsertSync(records)) : Effect.fail(refused)
      }),
    getContract: (id, regions) =>
      Effect.sync(() => Option.filter(Option.fromNullishOr(t.contracts.get(id)), (c) => inScope(regions, c))),
    getChain: (id, regions) =>
      Effect.sync(() => {
        const version = t.contracts.get(id)
        if (version === undefined || !inScope(regions, version)) return Option.none()
        const key = chainKey(t.contracts, version)
        // Every version in scope, not only the one asked for (as the SQL store): another region's amendment is
        // that region's contract.
        const members = [...t.contracts.values()].filter((c) => chainKey(t.contracts, c) === key && inScope(regions, c))
        return Option.some(makeChain(key as ContractId, members))
      }),
    search: (input) =>
      // Checked as the SQL store checks it, so that tests on this store meet the errors production meets.
      Schema.decodeUnknownEffect(ContractQuery)(input).pipe(
        Effect.mapError((e) => new ContractStoreError({ operation: "search", message: `invalid query: ${e.message}` })),
        Effect.flatMap((query) => {
          const problem = textFilterProblem([query.number])
          return problem === undefined
            ? Effect.succeed(query)
            : Effect.fail(new ContractStoreError({ operation: "search", message: `invalid query: ${problem}` }))
        }),
        Effect.map((query) =>
          [...t.contracts.values()]
            .filter((c) => matches(query, c))
            .sort((a, b) => a.id - b.id)
            .slice(0, query.limit)
        )
      ),
    records: Stream.fromIterable({ [Symbol.iterator]: allRecords }),
    count: Effect.sync(
      (): Record<RecordKind, number> => ({
        contract: t.contracts.size,
        unit: t.units.size,
        lot: t.lots.size,
        payment: t.payments.size,
        subject: t.subjects.size,
        ref: t.refs.size
      })
    )
  })
})

export const layerMemoryContractStore: Layer.Layer<ContractStore> = Layer.effect(ContractStore, makeMemoryContractStore)
