import { Context, type Effect, type Option, Schema, type Stream } from "effect"
import { Bin } from "../domain/Bin.ts"
import {
  Contract,
  ContractUnit,
  Lot,
  Payment,
  type ProcurementRecord,
  RefBookEntry,
  type RecordKind,
  Subject
} from "../domain/Contract.ts"
import type { ContractChain } from "../domain/ContractChain.ts"
import { ContractId, Instant } from "../domain/Ids.ts"
import { RegionCode } from "../domain/Region.ts"
import { decodingProblem } from "../domain/decodingProblem.ts"
import { unstorableInText } from "../domain/storableText.ts"

export class ContractStoreError extends Schema.TaggedError<ContractStoreError>()("ContractStoreError", {
  operation: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** What one `upsert` did with some records; `inserted + updated + unchanged` equals the records given. */
export interface KindUpsertCounts {
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
}

/**
 * What one `upsert` did, in total and for each kind of record given (`byKind` names those kinds and no other):
 * `inserted + updated + unchanged` equals the records given, in total and for each kind.
 */
export interface UpsertCounts extends KindUpsertCounts {
  readonly byKind: Readonly<Partial<Record<RecordKind, KindUpsertCounts>>>
}

/** The counts of an upsert from those of each kind it was given: the totals are their sums. */
export const upsertCounts = (byKind: Readonly<Partial<Record<RecordKind, KindUpsertCounts>>>): UpsertCounts => {
  let inserted = 0
  let updated = 0
  let unchanged = 0
  for (const counts of Object.values(byKind)) {
    inserted += counts.inserted
    updated += counts.updated
    unchanged += counts.unchanged
  }
  return { inserted, updated, unchanged, byKind }
}

const RECORD_SCHEMAS = {
  contract: Contract,
  unit: ContractUnit,
  lot: Lot,
  payment: Payment,
  subject: Subject,
  ref: RefBookEntry
} as const satisfies Record<RecordKind, Schema.Top>

const decoderOf = (kind: RecordKind) => Schema.decodeUnknownExit(RECORD_SCHEMAS[kind] as Schema.Codec<unknown, unknown>)
const DECODERS = Object.fromEntries(
  Object.keys(RECORD_SCHEMAS).map((kind) => [kind, decoderOf(kind as RecordKind)])
) as Record<RecordKind, ReturnType<typeof decoderOf>>

/**
 * The record's kind and key, for a message. The value may be anything when it failed to decode (null, a key left
 * out): such a record is named by its kind alone rather than as `contract "undefined"`, or by a TypeError.
 */
const recordName = (record: ProcurementRecord): string => {
  const value: unknown = record.value
  if (typeof value !== "object" || value === null) return `a ${record.kind} record`
  const fields = value as Readonly<Record<string, unknown>>
  const key = record.kind === "subject" ? fields.bin : fields.id
  if (key === undefined || key === null) return `a ${record.kind} record`
  const id = record.kind === "ref" ? `${String(fields.book)}:${String(key)}` : String(key)
  return `${record.kind} ${JSON.stringify(id.slice(0, 64))}`
}

/** Whether a kind is one of the record kinds: an own key of the table, not a name Object.prototype answers to. */
const isRecordKind = (kind: unknown): kind is RecordKind => typeof kind === "string" && Object.hasOwn(DECODERS, kind)

/**
 * Why a store cannot keep a record as given, or undefined: its fields as the domain schema types them (the SQL
 * tables' CHECKs and column types: a KATO code of digits, instants within years 1–9999), and its texts as PostgreSQL
 * keeps them (no NUL, no lone surrogate). Sources decode records, so only hand-built ones meet this; every store
 * checks it the same way, so that a test on the in-memory one meets the refusal production meets.
 */
export const recordWriteProblem = (record: ProcurementRecord): string | undefined => {
  // A kind such as "constructor" found Object.prototype's member here, which no store keeps: both stores counted
  // the record under no kind, so an upsert answered fewer records than it was given.
  if (!isRecordKind(record.kind)) return `a record of kind ${JSON.stringify(String(record.kind))}, which no store keeps`
  const undecodable = decodingProblem(DECODERS[record.kind](record.value))
  if (undecodable !== undefined) return `${recordName(record)}: ${undecodable}`
  for (const [field, value] of Object.entries(record.value)) {
    const problem = typeof value === "string" ? unstorableInText(value) : undefined
    if (problem !== undefined) return `${recordName(record)}: ${field} must not contain ${problem}`
  }
  return undefined
}

/** The first record of a batch a store cannot keep, as an `upsert` error: a batch is written whole or not at all. */
export const recordsWriteError = (records: ReadonlyArray<ProcurementRecord>): ContractStoreError | undefined => {
  for (const record of records) {
    const problem = recordWriteProblem(record)
    if (problem !== undefined)
      return new ContractStoreError({ operation: "upsert", message: `invalid upsert: ${problem}` })
  }
  return undefined
}

/** Whether a record dated `incoming` replaces one dated `stored` (last_update_date): newer or equal; none is oldest. */
export const supersedesByDate = (incoming: number | null, stored: number | null): boolean =>
  (incoming ?? Number.NEGATIVE_INFINITY) >= (stored ?? Number.NEGATIVE_INFINITY)

/**
 * Folds a batch's repeated keys the way applying them one after the other would end (the last of those that
 * `replaces` the one before: for contracts and lots the newest `last_update_date`, for the rest the last), so each
 * key is written once. A record left behind within its batch counts as unchanged; that keeps a re-import of the
 * same records at "all unchanged" whatever the order of duplicates in it. Every `ContractStore` counts this way.
 */
export const foldBatch = <K, V>(
  values: Iterable<V>,
  keyOf: (v: V) => K,
  counts: { unchanged: number },
  replaces: (incoming: V, current: V) => boolean = () => true
): Array<V> => {
  const byKey = new Map<K, V>()
  for (const value of values) {
    const key = keyOf(value)
    const current = byKey.get(key)
    if (current !== undefined) counts.unchanged++
    if (current === undefined || replaces(value, current)) byKey.set(key, value)
  }
  return [...byKey.values()]
}

export const ContractQuery = Schema.Struct({
  customerBin: Schema.optional(Bin),
  supplierBin: Schema.optional(Bin),
  /** Exact contract number (`contract_number` or `contract_number_sys`). */
  number: Schema.optional(Schema.String),
  signedFrom: Schema.optional(Instant),
  signedTo: Schema.optional(Instant),
  /** Only contracts whose customer is in one of these regions (the caller's regional scope). */
  regions: Schema.optional(Schema.Array(RegionCode)),
  /** Keyset paging: contracts with an id greater than this. */
  afterId: Schema.optional(ContractId),
  limit: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))
})
export type ContractQuery = typeof ContractQuery.Type

/** Contract versions and everything attached to them (units, lots, payments, subjects, reference books). */
export class ContractStore extends Context.Service<
  ContractStore,
  {
    /**
     * Stores records idempotently: a record equal to the stored one is `unchanged`; a contract or lot with a newer
     * (or equal) `last_update_date` replaces the stored one; an older one is `unchanged`.
     */
    readonly upsert: (records: ReadonlyArray<ProcurementRecord>) => Effect.Effect<UpsertCounts, ContractStoreError>
    /**
     * One version by id. With `regions`, only when its customer is in one of them (the caller's regional scope,
     * applied by the store itself so that nothing out of scope is ever read into the caller).
     */
    readonly getContract: (
      id: ContractId,
      regions?: ReadonlyArray<RegionCode>
    ) => Effect.Effect<Option.Option<Contract>, ContractStoreError>
    /**
     * The chain a version belongs to (found from any of its versions), in chain order. With `regions`, the version
     * asked for must be in them (else none) and the chain holds only the versions in them: an amendment whose
     * customer is in another region (or in none) is left out.
     */
    readonly getChain: (
      id: ContractId,
      regions?: ReadonlyArray<RegionCode>
    ) => Effect.Effect<Option.Option<ContractChain>, ContractStoreError>
    readonly search: (query: ContractQuery) => Effect.Effect<ReadonlyArray<Contract>, ContractStoreError>
    /** Every stored record, for engines that evaluate outside the store. */
    readonly records: Stream.Stream<ProcurementRecord, ContractStoreError>
    readonly count: Effect.Effect<Readonly<Record<RecordKind, number>>, ContractStoreError>
  }
>()("@adalqarau/core/ContractStore") {}
