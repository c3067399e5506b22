import {
  type RegionCode,
  type Bin,
  type Contract,
  type ContractId,
  ContractQuery,
  ContractStore,
  ContractStoreError,
  recordsWriteError,
  type ContractUnit,
  type Instant,
  type Kato,
  type Lot,
  type LotId,
  makeChain,
  type Payment,
  type PaymentId,
  type ProcurementRecord,
  type RecordKind,
  type RefBookEntry,
  type Subject,
  type Tiyn,
  type UnitId,
  textFilterProblem
} from "@adalqarau/core"
import { Effect, Layer, Option, Schema, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { upsertRecords } from "./upsert.ts"
import { bool, epochMs, instantText, num, numOrNull, pgArray, str, strOrNull } from "./values.ts"

type Row = Record<string, unknown>

const storeError = (operation: string) => (cause: unknown) =>
  new ContractStoreError({
    operation,
    message: cause instanceof Error ? cause.message : String(cause),
    cause
  })

const instantOrNull = (value: unknown): Instant | null => numOrNull(value) as Instant | null

/** The columns of a contract version as the row decoder expects them (timestamps as epoch milliseconds). */
export const CONTRACT_SELECT = `c.id, c.parent_id, c.root_id, c.trd_buy_id, c.status_id, c.type_id, c.year_type_id,
  c.subject_type_id, c.deleted, ${epochMs("c.crdate")} AS crdate, ${epochMs("c.last_update_date")} AS last_update_date,
  ${epochMs("c.sign_date")} AS sign_date, c.customer_bin, c.supplier_bin, c.contract_number, c.contract_number_sys,
  c.fin_year, c.currency_code, c.contract_sum, c.contract_sum_wnds, c.fakt_sum, c.fakt_sum_wnds,
  ${epochMs("c.ec_end_date")} AS ec_end_date, ${epochMs("c.plan_exec_date")} AS plan_exec_date,
  ${epochMs("c.fakt_exec_date")} AS fakt_exec_date, ${epochMs("c.contract_end_date")} AS contract_end_date,
  c.cancel_id, c.description_ru`

export const contractOfRow = (r: Row): Contract => ({
  id: num(r.id) as ContractId,
  parentId: numOrNull(r.parent_id) as ContractId | null,
  rootId: numOrNull(r.root_id) as ContractId | null,
  trdBuyId: numOrNull(r.trd_buy_id),
  statusId: numOrNull(r.status_id),
  typeId: numOrNull(r.type_id),
  yearTypeId: numOrNull(r.year_type_id),
  subjectTypeId: numOrNull(r.subject_type_id),
  deleted: bool(r.deleted),
  crdate: num(r.crdate) as Instant,
  lastUpdateDate: instantOrNull(r.last_update_date),
  signDate: instantOrNull(r.sign_date),
  customerBin: strOrNull(r.customer_bin) as Bin | null,
  supplierBin: strOrNull(r.supplier_bin) as Bin | null,
  contractNumber: strOrNull(r.contract_number),
  contractNumberSys: strOrNull(r.contract_number_sys),
  finYear: numOrNull(r.fin_year),
  currencyCode: strOrNull(r.currency_code),
  contractSum: numOrNull(r.contract_sum) as Tiyn | null,
  contractSumWnds: numOrNull(r.contract_sum_wnds) as Tiyn | null,
  faktSum: numOrNull(r.fakt_sum) as Tiyn | null,
  faktSumWnds: numOrNull(r.fakt_sum_wnds) as Tiyn | null,
  ecEndDate: instantOrNull(r.ec_end_date),
  planExecDate: instantOrNull(r.plan_exec_date),
  faktExecDate: instantOrNull(r.fakt_exec_date),
  contractEndDate: instantOrNull(r.contract_end_date),
  cancelId: numOrNull(r.cancel_id),
  descriptionRu: strOrNull(r.description_ru)
})

const unitOfRow = (r: Row): ContractUnit => ({
  id: num(r.id) as UnitId,
  contractId: num(r.contract_id) as ContractId,
  lotId: numOrNull(r.lot_id) as LotId | null,
  plnPointId: numOrNull(r.pln_point_id),
  totalSum: numOrNull(r.total_sum) as Tiyn | null
})

const lotOfRow = (r: Row): Lot => ({
  id: num(r.id) as LotId,
  trdBuyId: numOrNull(r.trd_buy_id),
  amount: num(r.amount) as Tiyn,
  customerBin: strOrNull(r.customer_bin) as Bin | null,
  lastUpdateDate: instantOrNull(r.last_update_date)
})

const paymentOfRow = (r: Row): Payment => ({
  id: num(r.id) as PaymentId,
  contractId: num(r.contract_id) as ContractId,
  payDate: num(r.pay_date) as Instant,
  payAmount: num(r.pay_amount) as Tiyn,
  prepaySum: numOrNull(r.prepay_sum) as Tiyn | null
})

const subjectOfRow = (r: Row): Subject => ({
  bin: str(r.bin) as Bin,
  nameRu: strOrNull(r.name_ru),
  nameKz: strOrNull(r.name_kz),
  kato: strOrNull(r.kato) as Kato | null
})

const refOfRow = (r: Row): RefBookEntry => ({
  book: str(r.book),
  id: num(r.id),
  code: strOrNull(r.code),
  nameRu: str(r.name_ru),
  nameKz: strOrNull(r.name_kz)
})

const PAGE = 5_000

/** Every row of one table, in key order, one page per statement so memory stays bounded on any driver. */
const pages = <K, A>(
  kind: RecordKind,
  page: (after: K | null) => Effect.Effect<ReadonlyArray<Row>, unknown>,
  keyOf: (row: Row) => K,
  decode: (row: Row) => A
): Stream.Stream<ProcurementRecord, ContractStoreError> =>
  Stream.paginate(null as K | null, (after) =>
    Effect.gen(function* () {
      const rows = yield* page(after)
      return yield* Effect.try({
        try: () => {
          const records = rows.map((row) => ({ kind, value: decode(row) }) as ProcurementRecord)
          const last = rows[rows.length - 1]
          const next: Option.Option<K | null> =
            rows.length < PAGE || last === undefined ? Option.none() : Option.some(keyOf(last))
          return [records, next] as const
        },
        catch: storeError("records")
      })
    }).pipe(Effect.mapError(storeError("records")))
  )

const invalid = (operation: string, error: { readonly message: string }) =>
  new ContractStoreError({ operation, message: `invalid query: ${error.message}` })

export const makePgContractStore = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const select = sql.literal(CONTRACT_SELECT)

  /** An id no stored contract can have (fractional, NaN, past 2^53) finds nothing, as in the memory store. */
  const storableId = (id: number): boolean => Number.isSafeInteger(id)

  /** The caller's regional scope as a condition on `c` (its customer's region), evaluated by the database. */
  const inRegions = (regions: ReadonlyArray<RegionCode> | undefined) =>
    regions === undefined
      ? sql`TRUE`
      : sql`EXISTS (SELECT 1 FROM subject s WHERE s.bin = c.customer_bin AND s.region = ANY(${pgArray(regions)}::text[]))`

  const getContract = (id: ContractId, regions?: ReadonlyArray<RegionCode>) =>
    !storableId(id) ? Effect.succeed(Option.none<Contract>()) : getStoredContract(id, regions)

  // The stored partition (an InitPlan) prunes the lookup to one partition's primary key at executor start.
  const getStoredContract = (id: ContractId, regions?: ReadonlyArray<RegionCode>) =>
    sql<Row>`
      SELECT ${select} FROM contract c
      WHERE c.id = ${id} AND c.fin_part = (SELECT k.fin_part FROM contract_chain k WHERE k.contract_id = ${id})
        AND ${inRegions(regions)}`.pipe(
      Effect.flatMap((rows) =>
        Effect.try({
          try: () => Option.fromNullishOr(rows[0]).pipe(Option.map(contractOfRow)),
          catch: storeError("getContract")
        })
      ),
      Effect.mapError(storeError("getContract"))
    )

  const getChain = (id: ContractId, regions?: ReadonlyArray<RegionCode>) =>
    Effect.gen(function* () {
      if (!storableId(id)) return Option.none()
      // The version asked for must be in scope, as for getContract; its chain comes with it.
      const keys = yield* sql<{ chain_key: unknown }>`
        SELECT cc.chain_key FROM contract_chain cc JOIN contract c ON c.id = cc.contract_id AND c.fin_part = cc.fin_part
        WHERE cc.contract_id = ${id} AND ${inRegions(regions)}`
      const key = keys[0]
      if (key === undefined) return Option.none()
      // The other versions are scoped too: an amendment signed by a customer of another region (or of none) is
      // that region's contract, even in a chain whose root is in scope.
      const rows = yield* sql<Row>`
        SELECT ${select} FROM contract_chain cc JOIN contract c ON c.id = cc.contract_id AND c.fin_part = cc.fin_part
        WHERE cc.chain_key = ${num(key.chain_key)} AND ${inRegions(regions)}`
      return Option.some(makeChain(num(key.chain_key) as ContractId, rows.map(contractOfRow)))
    }).pipe(Effect.mapError(storeError("getChain")))

  const search = (query: ContractQuery) =>
    Effect.gen(function* () {
      // Callers may hand over anything at run time; the schema is the contract of this port.
      const q = yield* Schema.decodeUnknownEffect(ContractQuery)(query).pipe(
        Effect.mapError((e) => invalid("search", e))
      )
      const problem = textFilterProblem([q.number])
      if (problem !== undefined) return yield* invalid("search", { message: problem })
      const clauses = [
        q.customerBin === undefined ? undefined : sql`c.customer_bin = ${q.customerBin}`,
        q.supplierBin === undefined ? undefined : sql`c.supplier_bin = ${q.supplierBin}`,
        q.number === undefined
          ? undefined
          : sql`(c.contract_number = ${q.number} OR c.contract_number_sys = ${q.number})`,
        q.signedFrom === undefined ? undefined : sql`c.sign_date >= ${instantText(q.signedFrom)}::timestamptz`,
        q.signedTo === undefined ? undefined : sql`c.sign_date <= ${instantText(q.signedTo)}::timestamptz`,
        q.afterId === undefined ? undefined : sql`c.id > ${q.afterId}`,
        q.regions === undefined ? undefined : inRegions(q.regions)
      ].filter((c) => c !== undefined)
      const rows = yield* sql<Row>`
        SELECT ${select} FROM contract c WHERE ${sql.and(clauses)} ORDER BY c.id LIMIT ${q.limit}`.pipe(
        Effect.mapError(storeError("search"))
      )
      return yield* Effect.try({ try: () => rows.map(contractOfRow), catch: storeError("search") })
    })

  const records: Stream.Stream<ProcurementRecord, ContractStoreError> = Stream.concat(
    pages(
      "subject",
      (after: string | null) => sql<Row>`SELECT bin, name_ru, name_kz, kato FROM subject
        WHERE ${after === null ? sql`TRUE` : sql`bin > ${after}`} ORDER BY bin LIMIT ${PAGE}`,
      (r) => str(r.bin),
      subjectOfRow
    ),
    Stream.concat(
      pages(
        "ref",
        (after: readonly [string, number] | null) => sql<Row>`SELECT book, id, code, name_ru, name_kz FROM ref_book
          WHERE ${after === null ? sql`TRUE` : sql`(book, id) > (${after[0]}::text, ${String(after[1])}::bigint)`}
          ORDER BY book, id LIMIT ${PAGE}`,
        (r) => [str(r.book), num(r.id)] as const,
        refOfRow
      ),
      Stream.concat(
        pages(
          "lot",
          (
            after
          ) => sql<Row>`SELECT id, trd_buy_id, amount, customer_bin, ${sql.literal(epochMs("last_update_date"))} AS last_update_date
            FROM lot WHERE id > ${after ?? 0}::bigint ORDER BY id LIMIT ${PAGE}`,
          (r) => num(r.id),
          lotOfRow
        ),
        Stream.concat(
          pages(
            "contract",
            (after) =>
              sql<Row>`SELECT ${select} FROM contract c WHERE c.id > ${after ?? 0}::bigint ORDER BY c.id LIMIT ${PAGE}`,
            (r) => num(r.id),
            contractOfRow
          ),
          Stream.concat(
            pages(
              "unit",
              (after) => sql<Row>`SELECT id, contract_id, lot_id, pln_point_id, total_sum FROM contract_unit
                WHERE id > ${after ?? 0}::bigint ORDER BY id LIMIT ${PAGE}`,
              (r) => num(r.id),
              unitOfRow
            ),
            pages(
              "payment",
              (
                after
              ) => sql<Row>`SELECT id, contract_id, ${sql.literal(epochMs("pay_date"))} AS pay_date, pay_amount, prepay_sum
                FROM treasury_payment WHERE id > ${after ?? 0}::bigint ORDER BY id LIMIT ${PAGE}`,
              (r) => num(r.id),
              paymentOfRow
            )
          )
        )
      )
    )
  )

  const count = sql<Row>`
    SELECT (SELECT count(*) FROM contract) AS contract, (SELECT count(*) FROM contract_unit) AS unit,
           (SELECT count(*) FROM lot) AS lot, (SELECT count(*) FROM treasury_payment) AS payment,
           (SELECT count(*) FROM subject) AS subject, (SELECT count(*) FROM ref_book) AS ref`.pipe(
    Effect.flatMap((rows) =>
      Effect.try({
        try: (): Record<RecordKind, number> => {
          const r = rows[0] ?? {}
          return {
            contract: num(r.contract),
            unit: num(r.unit),
            lot: num(r.lot),
            payment: num(r.payment),
            subject: num(r.subject),
            ref: num(r.ref)
          }
        },
        catch: storeError("count")
      })
    ),
    Effect.mapError(storeError("count"))
  )

  return ContractStore.of({
    // Checked before the transaction, as the memory store checks them: a driver's "invalid byte sequence" or a
    // CHECK's name said neither which record nor which field. Suspended as in the memory store, so that whatever
    // the check meets surfaces from the effect, not as an exception thrown by the call.
    upsert: (batch) =>
      Effect.suspend(() => {
        const refused = recordsWriteError(batch)
        if (refused !== undefined) return Effect.fail(refused)
        return upsertRecords(batch).pipe(
          withIngestLock(sql),
          sql.withTransaction,
          Effect.provideService(SqlClient.SqlClient, sql),
          Effect.mapError(storeError("upsert"))
        )
      }),
    getContract,
    getChain,
    search,
    records,
    count
  })
})

/**
 * Imports and indicator runs take this transaction-scoped advisory lock: the row-by-id uniqueness of the
 * partitioned contract table and the refresh queue both rely on one writer at a time. The two batches a bulk load
 * writes at once take it shared (`twoWriters.ts`): they write no queue and keep apart the keys they insert.
 */
export const INGEST_LOCK = 7_240_511_001

/**
 * Runs `effect` (inside a transaction) holding the ingest lock, with JIT compilation off: the statements are
 * batch-sized, and PostgreSQL's JIT, triggered by the planner's pessimistic estimates for unnest and recursive
 * CTEs, cost 0.7 s per statement for work that takes milliseconds.
 */
export const withIngestLock =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    sql`SELECT pg_advisory_xact_lock(${String(INGEST_LOCK)}::bigint)`.pipe(
      Effect.andThen(sql`SET LOCAL jit = off`),
      Effect.andThen(effect)
    )

export const layerPgContractStore: Layer.Layer<ContractStore, never, SqlClient.SqlClient> = Layer.effect(
  ContractStore,
  makePgContractStore
)
