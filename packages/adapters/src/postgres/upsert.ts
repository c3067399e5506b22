import type {
  Contract,
  ContractUnit,
  KindUpsertCounts,
  Lot,
  Payment,
  ProcurementRecord,
  RecordKind,
  RefBookEntry,
  Subject,
  UpsertCounts
} from "@adalqarau/core"
import { foldBatch, recordsByKind, regionOfKato, supersedesByDate, upsertCounts } from "@adalqarau/core"
import { Effect } from "effect"
import { SqlClient, type SqlError, type Statement } from "effect/sql"
import { type ChangedVersion, chainKeyMaintenance } from "./chains.ts"
import { type ArrayElement, instantOfMs, num, pgArray } from "./values.ts"

/**
 * Set-based, idempotent upserts of one batch of records: each kind goes to the server as one statement over
 * `unnest` of array parameters. A batch of thousands of rows meets tables of millions, and the planner takes the
 * batch for 10–200 rows and the tables by statistics that lag a bulk load: a plain join to a table can become a
 * hash join over a full scan of it, per batch, growing with the table. Lookups into tables are therefore written
 * `CROSS JOIN LATERAL (… WHERE key = batch.key OFFSET 0)` — OFFSET 0 keeps the subquery from being flattened
 * into a join — so that each is an index probe per batch row at every size; joins between the batch's own
 * CTEs stay free to hash. A stored row equal to the incoming one is left alone (`unchanged`); contracts and
 * lots are replaced only by a record with a newer or equal `last_update_date` (as core's MemoryContractStore).
 * Changes are queued for the incremental indicator refresh in the same statements, once an indicator run exists.
 * A bulk load before the first run inserts its new rows without the lookups (`WriteOptions.fresh`).
 */

/** The partition a contract version lives in: its financial year when plausible, else 0 (the default partition). */
export const finPartOf = (finYear: number | null): number =>
  finYear !== null && finYear >= 1900 && finYear <= 2999 ? finYear : 0

interface Changed {
  readonly inserted: number
  readonly updated: number
}

const countChanges = (rows: ReadonlyArray<{ readonly op: unknown; readonly n: unknown }>): Changed => {
  let inserted = 0
  let updated = 0
  for (const row of rows) {
    if (row.op === "i") inserted = num(row.n)
    else updated = num(row.n)
  }
  return { inserted, updated }
}

/**
 * The rows of one kind, folded and turned into the statement's array parameters (the client's share of the
 * work, done ahead of the transaction so that it overlaps the previous batch's statements).
 */
export interface Columns<K extends string = string> {
  /** Distinct keys after folding. */
  readonly rows: number
  /** One array literal per column, by the name its statement binds it under. */
  readonly arrays: Readonly<Record<K, string>>
}

/** A batch's array parameters from a field map (`*_FIELDS`: parameter name → value of a record). */
const columns = <V, K extends string>(
  values: ReadonlyArray<V>,
  fields: Readonly<Record<K, (v: V) => ArrayElement>>
): Columns<K> => {
  const arrays = {} as Record<K, string>
  for (const name of Object.keys(fields) as Array<K>) arrays[name] = pgArray(values.map(fields[name]))
  return { rows: values.length, arrays }
}

/**
 * The statement's `queued` CTE: its changes queued for the incremental refresh — unless no indicator run has
 * happened yet, when the first run is a full one that reads everything anyway (a bulk load into an empty
 * database then writes no queue: 15M rows at 15M contracts, truncated unread by that run).
 */
const queued = (sql: SqlClient.SqlClient, queue: boolean, insert: string) =>
  sql.literal(queue ? `,\n      queued AS (${insert}\n      )` : "")

const SUBJECT_FIELDS = {
  bin: (s: Subject) => s.bin,
  nameRu: (s: Subject) => s.nameRu,
  nameKz: (s: Subject) => s.nameKz,
  kato: (s: Subject) => s.kato,
  region: (s: Subject) => (s.kato === null ? null : (regionOfKato(s.kato) ?? null))
}

type SubjectColumn = keyof typeof SUBJECT_FIELDS

const upsertSubjects = (
  sql: SqlClient.SqlClient,
  { bin, nameRu, nameKz, kato, region }: Columns<SubjectColumn>["arrays"],
  queue: boolean
) =>
  Effect.map(
    sql<{ op: string; n: unknown }>`
      WITH s AS (
        SELECT * FROM unnest(${bin}::text[], ${nameRu}::text[], ${nameKz}::text[], ${kato}::text[], ${region}::text[])
          AS s(bin, name_ru, name_kz, kato, region)
      ),
      upd AS (
        UPDATE subject t SET name_ru = s.name_ru, name_kz = s.name_kz, kato = s.kato, region = s.region
        FROM s
        WHERE t.bin = s.bin AND (t.name_ru, t.name_kz, t.kato, t.region) IS DISTINCT FROM (s.name_ru, s.name_kz, s.kato, s.region)
        RETURNING t.bin
      ),
      ins AS (
        INSERT INTO subject (bin, name_ru, name_kz, kato, region)
        SELECT s.bin, s.name_ru, s.name_kz, s.kato, s.region FROM s
        WHERE NOT EXISTS (SELECT 1 FROM subject t WHERE t.bin = s.bin)
        RETURNING bin
      )${queued(
        sql,
        queue,
        `
        INSERT INTO refresh_subject (bin) SELECT bin FROM upd UNION SELECT bin FROM ins ON CONFLICT DO NOTHING`
      )}
      SELECT 'i' AS op, count(*) AS n FROM ins UNION ALL SELECT 'u', count(*) FROM upd`,
    countChanges
  )

const REF_FIELDS = {
  book: (r: RefBookEntry) => r.book,
  id: (r: RefBookEntry) => r.id,
  code: (r: RefBookEntry) => r.code,
  nameRu: (r: RefBookEntry) => r.nameRu,
  nameKz: (r: RefBookEntry) => r.nameKz
}

type RefColumn = keyof typeof REF_FIELDS

const upsertRefs = (sql: SqlClient.SqlClient, { book, id, code, nameRu, nameKz }: Columns<RefColumn>["arrays"]) =>
  Effect.map(
    sql<{ op: string; n: unknown }>`
      WITH s AS (
        SELECT * FROM unnest(${book}::text[], ${id}::bigint[], ${code}::text[], ${nameRu}::text[], ${nameKz}::text[])
          AS s(book, id, code, name_ru, name_kz)
      ),
      upd AS (
        UPDATE ref_book t SET code = s.code, name_ru = s.name_ru, name_kz = s.name_kz
        FROM s
        WHERE t.book = s.book AND t.id = s.id AND (t.code, t.name_ru, t.name_kz) IS DISTINCT FROM (s.code, s.name_ru, s.name_kz)
        RETURNING t.id
      ),
      ins AS (
        INSERT INTO ref_book (book, id, code, name_ru, name_kz)
        SELECT s.book, s.id, s.code, s.name_ru, s.name_kz FROM s
        WHERE NOT EXISTS (SELECT 1 FROM ref_book t WHERE t.book = s.book AND t.id = s.id)
        RETURNING id
      )
      SELECT 'i' AS op, count(*) AS n FROM ins UNION ALL SELECT 'u', count(*) FROM upd`,
    countChanges
  )

const LOT_FIELDS = {
  id: (l: Lot) => l.id,
  trdBuyId: (l: Lot) => l.trdBuyId,
  amount: (l: Lot) => l.amount,
  customerBin: (l: Lot) => l.customerBin,
  updated: (l: Lot) => l.lastUpdateDate
}

type LotColumn = keyof typeof LOT_FIELDS

const LOT_COLUMNS = "id, trd_buy_id, amount, customer_bin, last_update_date"

/** A batch's lots as rows (the statements' `s`). */
const lotRows = (sql: SqlClient.SqlClient, a: Columns<LotColumn>["arrays"]) =>
  sql`SELECT id, trd_buy_id, amount, customer_bin, ${sql.literal(instantOfMs("last_update_date"))} AS last_update_date
      FROM unnest(${a.id}::bigint[], ${a.trdBuyId}::bigint[], ${a.amount}::bigint[], ${a.customerBin}::text[],
                  ${a.updated}::bigint[]) AS s(${sql.literal(LOT_COLUMNS)})`

const upsertLots = (sql: SqlClient.SqlClient, rows: Statement.Fragment, queue: boolean) =>
  Effect.map(
    sql<{ op: string; n: unknown }>`
      WITH s AS (${rows}),
      upd AS (
        UPDATE lot t SET trd_buy_id = s.trd_buy_id, amount = s.amount, customer_bin = s.customer_bin,
                         last_update_date = s.last_update_date
        FROM s
        WHERE t.id = s.id
          AND coalesce(s.last_update_date, '-infinity') >= coalesce(t.last_update_date, '-infinity')
          AND (t.trd_buy_id, t.amount, t.customer_bin, t.last_update_date)
              IS DISTINCT FROM (s.trd_buy_id, s.amount, s.customer_bin, s.last_update_date)
        RETURNING t.id
      ),
      ins AS (
        INSERT INTO lot (id, trd_buy_id, amount, customer_bin, last_update_date)
        SELECT s.id, s.trd_buy_id, s.amount, s.customer_bin, s.last_update_date FROM s
        WHERE NOT EXISTS (SELECT 1 FROM lot t WHERE t.id = s.id)
        RETURNING id
      )${queued(
        sql,
        queue,
        `
        -- A lot's amount is part of the plan sum of every contract whose units reference it.
        INSERT INTO refresh_chain (chain_key)
        SELECT DISTINCT u.contract_id
        FROM (SELECT id FROM upd UNION ALL SELECT id FROM ins) l
        CROSS JOIN LATERAL (SELECT u.contract_id FROM contract_unit u WHERE u.lot_id = l.id OFFSET 0) u
        ON CONFLICT DO NOTHING`
      )}
      SELECT 'i' AS op, count(*) AS n FROM ins UNION ALL SELECT 'u', count(*) FROM upd`,
    countChanges
  )

const CONTRACT_COLUMNS = `fin_part, parent_id, root_id, trd_buy_id, status_id, type_id, year_type_id, subject_type_id,
  deleted, crdate, last_update_date, sign_date, customer_bin, supplier_bin, contract_number, contract_number_sys,
  fin_year, currency_code, contract_sum, contract_sum_wnds, fakt_sum, fakt_sum_wnds, ec_end_date, plan_exec_date,
  fakt_exec_date, contract_end_date, cancel_id, description_ru`

const CONTRACT_COLUMN_LIST = CONTRACT_COLUMNS.split(",").map((c) => c.trim())
const CONTRACT_INSTANTS = new Set([
  "crdate",
  "last_update_date",
  "sign_date",
  "ec_end_date",
  "plan_exec_date",
  "fakt_exec_date",
  "contract_end_date"
])
/** The columns of `contractRows`, instants read from their epoch milliseconds. */
const CONTRACT_SELECT = CONTRACT_COLUMN_LIST.map((c) =>
  CONTRACT_INSTANTS.has(c) ? `${instantOfMs(c)} AS ${c}` : c
).join(", ")
const targetColumns = CONTRACT_COLUMN_LIST.map((c) => `t.${c}`).join(", ")
const sourceColumns = CONTRACT_COLUMN_LIST.map((c) => `s.${c}`).join(", ")
const assignments = CONTRACT_COLUMN_LIST.map((c) => `${c} = s.${c}`).join(", ")

/** Each array parameter of the contract upsert, read from a version; the statement binds them by these names. */
const CONTRACT_FIELDS = {
  id: (c: Contract) => c.id,
  finPart: (c: Contract) => finPartOf(c.finYear),
  parentId: (c: Contract) => c.parentId,
  rootId: (c: Contract) => c.rootId,
  trdBuyId: (c: Contract) => c.trdBuyId,
  statusId: (c: Contract) => c.statusId,
  typeId: (c: Contract) => c.typeId,
  yearTypeId: (c: Contract) => c.yearTypeId,
  subjectTypeId: (c: Contract) => c.subjectTypeId,
  deleted: (c: Contract) => c.deleted,
  crdate: (c: Contract) => c.crdate,
  lastUpdateDate: (c: Contract) => c.lastUpdateDate,
  signDate: (c: Contract) => c.signDate,
  customerBin: (c: Contract) => c.customerBin,
  supplierBin: (c: Contract) => c.supplierBin,
  contractNumber: (c: Contract) => c.contractNumber,
  contractNumberSys: (c: Contract) => c.contractNumberSys,
  finYear: (c: Contract) => c.finYear,
  currencyCode: (c: Contract) => c.currencyCode,
  contractSum: (c: Contract) => c.contractSum,
  contractSumWnds: (c: Contract) => c.contractSumWnds,
  faktSum: (c: Contract) => c.faktSum,
  faktSumWnds: (c: Contract) => c.faktSumWnds,
  ecEndDate: (c: Contract) => c.ecEndDate,
  planExecDate: (c: Contract) => c.planExecDate,
  faktExecDate: (c: Contract) => c.faktExecDate,
  contractEndDate: (c: Contract) => c.contractEndDate,
  cancelId: (c: Contract) => c.cancelId,
  descriptionRu: (c: Contract) => c.descriptionRu
}

type ContractColumn = keyof typeof CONTRACT_FIELDS

/** A batch's contract versions as rows (the statements' `s`). */
const contractRows = (sql: SqlClient.SqlClient, a: Columns<ContractColumn>["arrays"]) =>
  sql`SELECT id, ${sql.literal(CONTRACT_SELECT)} FROM unnest(
        ${a.id}::bigint[], ${a.finPart}::int[], ${a.parentId}::bigint[], ${a.rootId}::bigint[],
        ${a.trdBuyId}::bigint[], ${a.statusId}::bigint[], ${a.typeId}::bigint[], ${a.yearTypeId}::bigint[],
        ${a.subjectTypeId}::bigint[], ${a.deleted}::boolean[], ${a.crdate}::bigint[],
        ${a.lastUpdateDate}::bigint[], ${a.signDate}::bigint[], ${a.customerBin}::text[],
        ${a.supplierBin}::text[], ${a.contractNumber}::text[], ${a.contractNumberSys}::text[],
        ${a.finYear}::bigint[], ${a.currencyCode}::text[], ${a.contractSum}::bigint[],
        ${a.contractSumWnds}::bigint[], ${a.faktSum}::bigint[], ${a.faktSumWnds}::bigint[],
        ${a.ecEndDate}::bigint[], ${a.planExecDate}::bigint[], ${a.faktExecDate}::bigint[],
        ${a.contractEndDate}::bigint[], ${a.cancelId}::bigint[], ${a.descriptionRu}::text[]
      ) AS s(id, ${sql.literal(CONTRACT_COLUMNS)})`

/** The upsert statement of contract versions (`contractRows`); rows: the ids inserted ('i') or changed. */
const contractUpsertStatement = (sql: SqlClient.SqlClient, rows: Statement.Fragment) =>
  sql<{ id: unknown; op: string }>`
      WITH s AS (${rows}),
      -- Ids already stored, with the partition each is stored in (contract_chain has one row per stored version
      -- id: the uniqueness a partitioned table cannot enforce). Materialised apart so that only these are looked
      -- up in contract: the planner, which cannot see the batch's size, otherwise probes every partition for
      -- every incoming id first.
      known AS MATERIALIZED (
        SELECT s.*, k.fin_part AS stored_part
        FROM s CROSS JOIN LATERAL (SELECT k.fin_part FROM contract_chain k WHERE k.contract_id = s.id OFFSET 0) k
      ),
      -- The stored row of each known id, found by an index probe per row rather than a join over the table; the
      -- stored partition prunes the probe to that partition's primary key.
      cur AS MATERIALIZED (
        SELECT s.*, t.part, t.tid
        FROM known s
        CROSS JOIN LATERAL (
          SELECT c.tableoid AS part, c.ctid AS tid, c.* FROM contract c
          WHERE c.id = s.id AND c.fin_part = s.stored_part LIMIT 1
        ) t
        WHERE coalesce(s.last_update_date, '-infinity') >= coalesce(t.last_update_date, '-infinity')
          AND (${sql.literal(targetColumns)}) IS DISTINCT FROM (${sql.literal(sourceColumns)})
      ),
      upd AS (
        -- Changing fin_part moves the row to its new partition (PostgreSQL turns it into a delete and an insert).
        -- The stored partition key prunes the row's lookup to one partition (the tableoid alone cannot).
        UPDATE contract t SET ${sql.literal(assignments)}
        FROM cur s
        WHERE t.fin_part = s.stored_part AND t.tableoid = s.part AND t.ctid = s.tid
        RETURNING t.id
      ),
      ins AS (
        INSERT INTO contract (id, ${sql.literal(CONTRACT_COLUMNS)})
        SELECT s.id, ${sql.literal(sourceColumns)} FROM s
        WHERE NOT EXISTS (SELECT 1 FROM contract_chain k WHERE k.contract_id = s.id)
        RETURNING id
      )
      SELECT id, 'i' AS op FROM ins UNION ALL SELECT id, 'u' FROM upd`

/** Returns the ids of the versions inserted or changed, whose chain keys must be maintained. */
const upsertContracts = (sql: SqlClient.SqlClient, rows: Statement.Fragment) =>
  Effect.map(contractUpsertStatement(sql, rows), (rows) => {
    let inserted = 0
    let updated = 0
    const changed = new Array<number>(rows.length)
    rows.forEach((row, i) => {
      changed[i] = num(row.id)
      if (row.op === "i") inserted++
      else updated++
    })
    return { inserted, updated, changed: new Set(changed) }
  })

const UNIT_FIELDS = {
  id: (u: ContractUnit) => u.id,
  contractId: (u: ContractUnit) => u.contractId,
  lotId: (u: ContractUnit) => u.lotId,
  plnPointId: (u: ContractUnit) => u.plnPointId,
  totalSum: (u: ContractUnit) => u.totalSum
}

type UnitColumn = keyof typeof UNIT_FIELDS

const UNIT_COLUMNS = "id, contract_id, lot_id, pln_point_id, total_sum"

/** A batch's units as rows (the statements' `s`). */
const unitRows = (sql: SqlClient.SqlClient, a: Columns<UnitColumn>["arrays"]) =>
  sql`SELECT * FROM unnest(${a.id}::bigint[], ${a.contractId}::bigint[], ${a.lotId}::bigint[], ${a.plnPointId}::bigint[],
                           ${a.totalSum}::bigint[]) AS s(${sql.literal(UNIT_COLUMNS)})`

const upsertUnits = (sql: SqlClient.SqlClient, rows: Statement.Fragment, queue: boolean) =>
  Effect.map(
    sql<{ op: string; n: unknown }>`
      WITH s AS (${rows}),
      old AS (
        SELECT t.id, t.contract_id
        FROM s CROSS JOIN LATERAL (SELECT t.id, t.contract_id FROM contract_unit t WHERE t.id = s.id OFFSET 0) t
      ),
      upd AS (
        UPDATE contract_unit t SET contract_id = s.contract_id, lot_id = s.lot_id, pln_point_id = s.pln_point_id,
                                   total_sum = s.total_sum
        FROM s
        WHERE t.id = s.id AND (t.contract_id, t.lot_id, t.pln_point_id, t.total_sum)
                              IS DISTINCT FROM (s.contract_id, s.lot_id, s.pln_point_id, s.total_sum)
        RETURNING t.id, t.contract_id
      ),
      ins AS (
        INSERT INTO contract_unit (id, contract_id, lot_id, pln_point_id, total_sum)
        SELECT s.id, s.contract_id, s.lot_id, s.pln_point_id, s.total_sum FROM s
        WHERE NOT EXISTS (SELECT 1 FROM contract_unit t WHERE t.id = s.id)
        RETURNING id, contract_id
      )${queued(
        sql,
        queue,
        `
        -- Units make up the plan sum of their contract, which matters only for a root, whose chain key is its id.
        INSERT INTO refresh_chain (chain_key)
        SELECT contract_id FROM upd
        UNION SELECT contract_id FROM ins
        UNION SELECT old.contract_id FROM old JOIN upd ON upd.id = old.id
        ON CONFLICT DO NOTHING`
      )}
      SELECT 'i' AS op, count(*) AS n FROM ins UNION ALL SELECT 'u', count(*) FROM upd`,
    countChanges
  )

const PAYMENT_FIELDS = {
  id: (p: Payment) => p.id,
  contractId: (p: Payment) => p.contractId,
  payDate: (p: Payment) => p.payDate,
  payAmount: (p: Payment) => p.payAmount,
  prepaySum: (p: Payment) => p.prepaySum
}

type PaymentColumn = keyof typeof PAYMENT_FIELDS

const PAYMENT_COLUMNS = "id, contract_id, pay_date, pay_amount, prepay_sum"

/** A batch's payments as rows (the statements' `s`). */
const paymentRows = (sql: SqlClient.SqlClient, a: Columns<PaymentColumn>["arrays"]) =>
  sql`SELECT id, contract_id, ${sql.literal(instantOfMs("pay_date"))} AS pay_date, pay_amount, prepay_sum
      FROM unnest(${a.id}::bigint[], ${a.contractId}::bigint[], ${a.payDate}::bigint[],
                  ${a.payAmount}::bigint[], ${a.prepaySum}::bigint[]) AS s(${sql.literal(PAYMENT_COLUMNS)})`

const upsertPayments = (sql: SqlClient.SqlClient, rows: Statement.Fragment, queue: boolean) =>
  Effect.map(
    sql<{ op: string; n: unknown }>`
      WITH s AS (${rows}),
      old AS (
        SELECT t.id, t.contract_id
        FROM s CROSS JOIN LATERAL (SELECT t.id, t.contract_id FROM treasury_payment t WHERE t.id = s.id OFFSET 0) t
      ),
      upd AS (
        UPDATE treasury_payment t SET contract_id = s.contract_id, pay_date = s.pay_date, pay_amount = s.pay_amount,
                                      prepay_sum = s.prepay_sum
        FROM s
        WHERE t.id = s.id AND (t.contract_id, t.pay_date, t.pay_amount, t.prepay_sum)
                              IS DISTINCT FROM (s.contract_id, s.pay_date, s.pay_amount, s.prepay_sum)
        RETURNING t.id, t.contract_id
      ),
      ins AS (
        INSERT INTO treasury_payment (id, contract_id, pay_date, pay_amount, prepay_sum)
        SELECT s.id, s.contract_id, s.pay_date, s.pay_amount, s.prepay_sum FROM s
        WHERE NOT EXISTS (SELECT 1 FROM treasury_payment t WHERE t.id = s.id)
        RETURNING id, contract_id
      ),
      touched AS (
        SELECT contract_id FROM upd UNION SELECT contract_id FROM ins
        UNION SELECT old.contract_id FROM old JOIN upd ON upd.id = old.id
      )${queued(
        sql,
        queue,
        `
        -- The first payment counts for the chain of the version paid, and for the chain keyed by the id paid.
        INSERT INTO refresh_chain (chain_key)
        SELECT contract_id FROM touched
        UNION
        SELECT cc.chain_key FROM touched
        CROSS JOIN LATERAL (SELECT cc.chain_key FROM contract_chain cc WHERE cc.contract_id = touched.contract_id OFFSET 0) cc
        ON CONFLICT DO NOTHING`
      )}
      SELECT 'i' AS op, count(*) AS n FROM ins UNION ALL SELECT 'u', count(*) FROM upd`,
    countChanges
  )

/** The ids stored before this statement, of a batch whose new rows `ins` inserted (`RETURNING id`). */
const storedBefore = (from: string, inserted: string) =>
  `SELECT s.id FROM ${from} s WHERE NOT EXISTS (SELECT 1 FROM ${inserted} i WHERE i.id = s.id)`

const isUniqueViolation = (error: SqlError.SqlError): boolean => error.reason._tag === "UniqueViolation"

/**
 * A bulk load's first try at a batch of one kind: its rows inserted as they are, a row whose key is stored already
 * skipped, with none of the upsert's lookups. Returns the skipped rows' ids.
 *
 * Tried first as a plain INSERT in a savepoint of the batch's transaction: in a bulk load almost every batch of
 * units, lots and payments is new throughout, and `ON CONFLICT DO NOTHING` with the ids it returns cost about a
 * third of the statement (5,000 units into 1.6M: 30–38 ms against 21–24 ms). When a key is stored already, the
 * plain insert fails on the primary key, the savepoint undoes it, and the batch is inserted again skipping those
 * rows.
 */
const insertNew = (sql: SqlClient.SqlClient, table: string, columns: string, rows: Statement.Fragment) =>
  sql`INSERT INTO ${sql(table)} (${sql.literal(columns)}) ${rows}`.pipe(
    Effect.as<ReadonlyArray<number>>([]),
    sql.withTransaction,
    Effect.catchIf(isUniqueViolation, () => insertNewSkipping(sql, table, columns, rows))
  )

/** `insertNew` when some keys are stored already: those rows skipped (`ON CONFLICT DO NOTHING`), their ids returned. */
const insertNewSkipping = (sql: SqlClient.SqlClient, table: string, columns: string, rows: Statement.Fragment) =>
  Effect.map(
    sql<{ id: unknown }>`
      WITH s AS (${rows}),
      ins AS (
        INSERT INTO ${sql(table)} (${sql.literal(columns)}) SELECT * FROM s ON CONFLICT DO NOTHING RETURNING id
      )
      ${sql.literal(storedBefore("s", "ins"))}`,
    (result) => result.map((row) => num(row.id))
  )

/**
 * The same for contract versions, whose ids are unique through contract_chain (a partitioned table cannot enforce
 * it): each new id's entry is inserted first, with the chain key its own fields give — its root, else itself. That
 * key is exact except for versions on a parent line without root ids (158 of 1.4M versions in the generated
 * 1M dataset), whose key is their ancestor's: the caller rebuilds the chain keys once the load ends.
 *
 * Not tried plainly first as `insertNew` is: in the generated 1M dataset 58 of 283 contract batches hold a version
 * of an earlier batch, and their failed first tries cost what the other batches saved (the 1M import took
 * 41.2–42.4 s against 41.0–41.1 s).
 */
const insertNewContracts = (sql: SqlClient.SqlClient, rows: Statement.Fragment) =>
  Effect.map(
    sql<{ id: unknown }>`
      WITH s AS (${rows}),
      chained AS (
        INSERT INTO contract_chain (contract_id, fin_part, chain_key)
        SELECT id, fin_part, coalesce(root_id, id) FROM s
        ON CONFLICT (contract_id) DO NOTHING
        RETURNING contract_id AS id
      ),
      ins AS (
        INSERT INTO contract (id, ${sql.literal(CONTRACT_COLUMNS)})
        SELECT s.id, ${sql.literal(sourceColumns)} FROM s JOIN chained c ON c.id = s.id
      )
      ${sql.literal(storedBefore("s", "chained"))}`,
    (result) => result.map((row) => num(row.id))
  )

/** Only the rows of `rows` with these ids. */
const only = (sql: SqlClient.SqlClient, rows: Statement.Fragment, ids: ReadonlyArray<number>) =>
  sql`SELECT * FROM (${rows}) r WHERE r.id = ANY(${pgArray(ids)}::bigint[])`

/**
 * A batch's counts, kind by kind as each kind's statement returns them: of a kind's `n` distinct rows, those the
 * statement neither inserted nor updated are unchanged, and so are the records its folding left behind.
 */
const countsOf = (batch: PreparedRecords) => {
  const byKind: Partial<Record<RecordKind, KindUpsertCounts>> = {}
  return {
    add: (kind: RecordKind, n: number, changed: Changed): void => {
      if (n === 0) return
      byKind[kind] = {
        inserted: changed.inserted,
        updated: changed.updated,
        unchanged: batch.folded[kind] + n - changed.inserted - changed.updated
      }
    },
    counts: (): UpsertCounts => upsertCounts(byKind)
  }
}

/**
 * A batch of records ready to write: split by kind, duplicates within the batch folded, every column in its
 * wire form. Pure and synchronous, so an importer can prepare the next batch while this one is written.
 */
export interface PreparedRecords {
  /** Records of each kind superseded within the batch (they count as unchanged). */
  readonly folded: Readonly<Record<RecordKind, number>>
  readonly subjects: Columns<SubjectColumn>
  readonly refs: Columns<RefColumn>
  readonly lots: Columns<LotColumn>
  readonly contracts: Columns<ContractColumn>
  /** The versions of `contracts` (same order), whose chain keys are maintained when they change. */
  readonly versions: ReadonlyArray<ChangedVersion>
  readonly units: Columns<UnitColumn>
  readonly payments: Columns<PaymentColumn>
  /** The ids of `lots`, `units` and `payments` (same order): the keys a batch's plain inserts take (`writeFresh`). */
  readonly ids: {
    readonly lots: ReadonlyArray<number>
    readonly units: ReadonlyArray<number>
    readonly payments: ReadonlyArray<number>
  }
}

export const prepareRecords = (records: ReadonlyArray<ProcurementRecord>): PreparedRecords => {
  const given = recordsByKind(records)
  // Each kind folded with a count of its own: the records folding leaves behind are unchanged for their kind.
  const left: Record<RecordKind, { unchanged: number }> = {
    contract: { unchanged: 0 },
    unit: { unchanged: 0 },
    lot: { unchanged: 0 },
    payment: { unchanged: 0 },
    subject: { unchanged: 0 },
    ref: { unchanged: 0 }
  }
  const newest = <V extends { readonly lastUpdateDate: number | null }>(a: V, b: V) =>
    supersedesByDate(a.lastUpdateDate, b.lastUpdateDate)
  const uniqueContracts = foldBatch(given.contract, (c) => c.id, left.contract, newest)
  const uniqueLots = foldBatch(given.lot, (l) => l.id, left.lot, newest)
  const uniqueUnits = foldBatch(given.unit, (u) => u.id, left.unit)
  const uniquePayments = foldBatch(given.payment, (p) => p.id, left.payment)
  return {
    subjects: columns(
      foldBatch(given.subject, (s) => s.bin, left.subject),
      SUBJECT_FIELDS
    ),
    refs: columns(
      foldBatch(given.ref, (r) => `${r.book}\u0000${r.id}`, left.ref),
      REF_FIELDS
    ),
    lots: columns(uniqueLots, LOT_FIELDS),
    contracts: columns(uniqueContracts, CONTRACT_FIELDS),
    versions: uniqueContracts.map((c) => ({
      id: c.id,
      parentId: c.parentId,
      rootId: c.rootId,
      finPart: finPartOf(c.finYear)
    })),
    units: columns(uniqueUnits, UNIT_FIELDS),
    payments: columns(uniquePayments, PAYMENT_FIELDS),
    ids: {
      lots: uniqueLots.map((l) => l.id),
      units: uniqueUnits.map((u) => u.id),
      payments: uniquePayments.map((p) => p.id)
    },
    folded: {
      contract: left.contract.unchanged,
      unit: left.unit.unchanged,
      lot: left.lot.unchanged,
      payment: left.payment.unchanged,
      subject: left.subject.unchanged,
      ref: left.ref.unchanged
    }
  }
}

export interface WriteOptions {
  /**
   * A bulk load into an empty database: while no indicator run exists (nothing to queue), the batch is written by
   * {@link writeFresh} — the caller must then rebuild the chain keys when the load ends.
   */
  readonly fresh?: boolean
}

export interface PreparedWrite {
  readonly counts: UpsertCounts
  /** Whether chain keys were written provisionally (see {@link writeFresh}). */
  readonly provisionalChainKeys: boolean
}

/** Whether an indicator run is on record: the batch's changes must then be queued for the refresh. */
export const runExists = (sql: SqlClient.SqlClient) =>
  Effect.map(
    sql<{ readonly ran: boolean }>`SELECT EXISTS (SELECT 1 FROM indicator_run) AS ran`,
    (rows) => rows[0]?.ran === true
  )

/**
 * Writes a prepared batch in dependency order (subjects and lots before contracts, contracts before units and
 * payments, so the queue entries of later kinds see the chain keys of this batch). Run it inside a transaction
 * holding the ingest lock: the importer's batch transaction or the store's own.
 */
export const writePrepared = (
  batch: PreparedRecords,
  options: WriteOptions = {}
): Effect.Effect<PreparedWrite, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Read under the ingest lock, which runs take too: no run can start between this and the batch's commit.
    const queue = yield* runExists(sql)
    if (options.fresh === true && !queue) return yield* writeFresh(batch)
    const counts = countsOf(batch)
    if (batch.subjects.rows > 0) {
      counts.add("subject", batch.subjects.rows, yield* upsertSubjects(sql, batch.subjects.arrays, queue))
    }
    if (batch.refs.rows > 0) counts.add("ref", batch.refs.rows, yield* upsertRefs(sql, batch.refs.arrays))
    if (batch.lots.rows > 0) {
      counts.add("lot", batch.lots.rows, yield* upsertLots(sql, lotRows(sql, batch.lots.arrays), queue))
    }
    if (batch.contracts.rows > 0) {
      counts.add(
        "contract",
        batch.contracts.rows,
        yield* upsertContractsChained(sql, batch, contractRows(sql, batch.contracts.arrays), queue)
      )
    }
    if (batch.units.rows > 0) {
      counts.add("unit", batch.units.rows, yield* upsertUnits(sql, unitRows(sql, batch.units.arrays), queue))
    }
    if (batch.payments.rows > 0) {
      counts.add(
        "payment",
        batch.payments.rows,
        yield* upsertPayments(sql, paymentRows(sql, batch.payments.arrays), queue)
      )
    }
    return { counts: counts.counts(), provisionalChainKeys: false }
  })

/** Upserts contract versions and keeps the chain keys of those that changed. */
const upsertContractsChained = (
  sql: SqlClient.SqlClient,
  batch: PreparedRecords,
  rows: Statement.Fragment,
  queue: boolean
) =>
  Effect.gen(function* () {
    const result = yield* upsertContracts(sql, rows)
    if (result.changed.size > 0) {
      yield* chainKeyMaintenance(
        batch.versions.filter((v) => result.changed.has(v.id)),
        queue
      )
    }
    return result
  })

/**
 * A bulk load's batch, written while no indicator run exists (the caller holds a lock that keeps one from
 * starting, and has checked). In two phases:
 * 1. each kind's rows are inserted as they are (`insertNew`, `insertNewContracts`): new contract versions get
 *    provisional chain keys, so the caller rebuilds the chain keys when the load ends;
 * 2. after `beforeMerge`, the rows whose keys were stored already (records repeated from an earlier batch) are
 *    upserted, and the subjects and reference entries.
 *
 * The first phase touches only the batch's own keys; the second also rows that other batches write (a subject
 * named by every batch, a chain's other versions). A caller that writes two batches at once on two connections
 * (`PgImporter`) lets the later batch's first phase run beside the earlier batch and makes `beforeMerge` wait
 * for the earlier one's commit: the two then never wait on each other in both directions.
 */
export const writeFresh = <E = never, R = never>(
  batch: PreparedRecords,
  beforeMerge: Effect.Effect<void, E, R> = Effect.void
): Effect.Effect<PreparedWrite, SqlError.SqlError | E, SqlClient.SqlClient | R> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const counts = countsOf(batch)
    const lots = lotRows(sql, batch.lots.arrays)
    const contracts = contractRows(sql, batch.contracts.arrays)
    const units = unitRows(sql, batch.units.arrays)
    const payments = paymentRows(sql, batch.payments.arrays)
    const none: ReadonlyArray<number> = []
    const stored = {
      lots: batch.lots.rows > 0 ? yield* insertNew(sql, "lot", LOT_COLUMNS, lots) : none,
      contracts: batch.contracts.rows > 0 ? yield* insertNewContracts(sql, contracts) : none,
      units: batch.units.rows > 0 ? yield* insertNew(sql, "contract_unit", UNIT_COLUMNS, units) : none,
      payments: batch.payments.rows > 0 ? yield* insertNew(sql, "treasury_payment", PAYMENT_COLUMNS, payments) : none
    }
    yield* beforeMerge
    if (batch.subjects.rows > 0) {
      counts.add("subject", batch.subjects.rows, yield* upsertSubjects(sql, batch.subjects.arrays, false))
    }
    if (batch.refs.rows > 0) counts.add("ref", batch.refs.rows, yield* upsertRefs(sql, batch.refs.arrays))
    // The counts are the insert's plus the upsert's changes among the rows it skipped.
    const merge = <E2, R2>(
      kind: RecordKind,
      n: number,
      skipped: ReadonlyArray<number>,
      upsert: (rows: Statement.Fragment) => Effect.Effect<Changed, E2, R2>,
      rows: Statement.Fragment
    ) =>
      Effect.map(
        skipped.length === 0 ? Effect.succeed({ inserted: 0, updated: 0 }) : upsert(only(sql, rows, skipped)),
        (rest) => counts.add(kind, n, { inserted: n - skipped.length + rest.inserted, updated: rest.updated })
      )
    yield* merge("lot", batch.lots.rows, stored.lots, (rows) => upsertLots(sql, rows, false), lots)
    yield* merge(
      "contract",
      batch.contracts.rows,
      stored.contracts,
      (rows) => upsertContractsChained(sql, batch, rows, false),
      contracts
    )
    yield* merge("unit", batch.units.rows, stored.units, (rows) => upsertUnits(sql, rows, false), units)
    yield* merge("payment", batch.payments.rows, stored.payments, (rows) => upsertPayments(sql, rows, false), payments)
    return { counts: counts.counts(), provisionalChainKeys: batch.contracts.rows > 0 }
  })

/** Upserts a batch of records: {@link prepareRecords} then {@link writePrepared}. */
export const upsertRecords = (
  records: ReadonlyArray<ProcurementRecord>
): Effect.Effect<UpsertCounts, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.suspend(() => Effect.map(writePrepared(prepareRecords(records)), (write) => write.counts))
