/**
 * The five indicators as plain SQL for DuckDB over the OWS JSONL files — the reference the in-memory engine is
 * compared with. Same semantics as docs/indicators.md: records deduplicated by key (newest `last_update_date`, the
 * later line on a tie: `rowid` keeps file order), chains by `root_id` or the `parent_id` walk, the root-only rule
 * and common filters, P over distinct lots (unknown when a lot is missing), calendar days in Asia/Almaty through
 * ICU time zones, chain order (sign_date, crdate, id) with missing sign dates last, exact decimal comparisons.
 * Only what the default parameters need; the finding keys are compared with the engine's.
 */

const q = (path: string): string => `'${path.replaceAll("'", "''")}'`

const ALMATY = "'Asia/Almaty'"

/**
 * A timestamp's text as the instant the engines read (TIMESTAMPTZ): with `Z` or an offset as given, without one as
 * Almaty wall-clock time; kept to the millisecond, finer digits dropped, as core's `parseTimestamp` does.
 */
const instant = (column: string): string =>
  `date_trunc('millisecond', CASE WHEN regexp_matches(trim(${column}), '(Z|[+-]\\d\\d:?\\d\\d(:\\d\\d)?)$')
     THEN CAST(trim(${column}) AS TIMESTAMPTZ) ELSE CAST(trim(${column}) AS TIMESTAMP) AT TIME ZONE ${ALMATY} END)`

/**
 * Loading: the columns the indicators read, with explicit types (no sniffing), in file order. Timestamps are read
 * as text and made instants by `instant`: DuckDB's TIMESTAMP would drop an explicit offset.
 */
export const loadStatements = (dir: string): ReadonlyArray<string> => [
  `CREATE TABLE c_raw AS SELECT * REPLACE (${instant("crdate")} AS crdate,
       ${instant("last_update_date")} AS last_update_date, ${instant("sign_date")} AS sign_date)
   FROM read_ndjson(${q(`${dir}/contracts.jsonl`)}, columns = {
     id: 'BIGINT', parent_id: 'BIGINT', root_id: 'BIGINT', ref_contract_status_id: 'INTEGER',
     ref_contract_type_id: 'INTEGER', ref_contract_year_type_id: 'INTEGER', deleted: 'VARCHAR',
     crdate: 'VARCHAR', last_update_date: 'VARCHAR', sign_date: 'VARCHAR', customer_bin: 'VARCHAR',
     supplier_biin: 'VARCHAR', contract_sum_wnds: 'DECIMAL(18,2)', fakt_sum_wnds: 'DECIMAL(18,2)'})`,
  `CREATE TABLE u_raw AS SELECT * FROM read_ndjson(${q(`${dir}/contract_units.jsonl`)}, columns = {
     id: 'BIGINT', contract_id: 'BIGINT', lot_id: 'BIGINT'})`,
  `CREATE TABLE l_raw AS SELECT * REPLACE (${instant("last_update_date")} AS last_update_date)
   FROM read_ndjson(${q(`${dir}/lots.jsonl`)}, columns = {
     id: 'BIGINT', amount: 'DECIMAL(18,2)', last_update_date: 'VARCHAR'})`,
  `CREATE TABLE p_raw AS SELECT * REPLACE (${instant("pay_date")} AS pay_date)
   FROM read_ndjson(${q(`${dir}/treasury_payments.jsonl`)}, columns = {
     id: 'BIGINT', contract_id: 'BIGINT', pay_date: 'VARCHAR'})`
]
const COMMON_STATUS = "(190, 340, 350, 375, 390, 450)"
const PAYMENT_STATUS = "(190, 375, 390, 450)"

/** Deduplication, chains and the root filter, as tables the five queries share. */
export const prepareStatements: ReadonlyArray<string> = [
  // A row replaces another of its id when its last_update_date is as new (null is oldest), the later line on a tie.
  `CREATE TABLE c AS SELECT * EXCLUDE (rn) FROM (
     SELECT *, row_number() OVER (PARTITION BY id ORDER BY last_update_date DESC NULLS LAST, rowid DESC) AS rn
     FROM c_raw) WHERE rn = 1`,
  `CREATE TABLE l AS SELECT * EXCLUDE (rn) FROM (
     SELECT *, row_number() OVER (PARTITION BY id ORDER BY last_update_date DESC NULLS LAST, rowid DESC) AS rn
     FROM l_raw) WHERE rn = 1`,
  `CREATE TABLE u AS SELECT * EXCLUDE (rn) FROM (
     SELECT *, row_number() OVER (PARTITION BY id ORDER BY rowid DESC) AS rn FROM u_raw) WHERE rn = 1`,
  `CREATE TABLE p AS SELECT * EXCLUDE (rn) FROM (
     SELECT *, row_number() OVER (PARTITION BY id ORDER BY rowid DESC) AS rn FROM p_raw) WHERE rn = 1`,
  // Versions without a root id walk their parents: the first parent naming a root, having no parent, or missing.
  `CREATE TABLE walk AS WITH RECURSIVE w(id, nxt, key, depth) AS (
     SELECT id, parent_id, NULL::BIGINT, 0 FROM c WHERE root_id IS NULL AND parent_id IS NOT NULL
     UNION ALL
     SELECT w.id,
       CASE WHEN x.id IS NULL OR x.root_id IS NOT NULL OR x.parent_id IS NULL THEN NULL ELSE x.parent_id END,
       CASE WHEN x.id IS NULL THEN w.nxt WHEN x.root_id IS NOT NULL THEN x.root_id
            WHEN x.parent_id IS NULL THEN x.id END,
       w.depth + 1
     FROM w LEFT JOIN c x ON x.id = w.nxt
     WHERE w.key IS NULL AND w.depth < 10000)
   SELECT id, key FROM w WHERE key IS NOT NULL`,
  `CREATE TABLE v AS SELECT c.*, coalesce(c.root_id, CASE WHEN c.parent_id IS NULL THEN c.id END, walk.key) AS chain_key,
     coalesce(c.deleted IN ('1', 'true'), false) AS is_deleted
   FROM c LEFT JOIN walk USING (id)`,
  // Root contracts passing the common filters except the status set (indicator 3 has its own).
  `CREATE TABLE fr AS SELECT * FROM v
   WHERE parent_id IS NULL AND (root_id IS NULL OR root_id = id) AND NOT is_deleted
     AND ref_contract_type_id = 1 AND ref_contract_year_type_id = 1
     AND customer_bin IS NOT NULL AND supplier_biin IS NOT NULL AND contract_sum_wnds > 0`
]

/** The largest plan sum the engines evaluate: 2^53 − 1 tiyn, in tenge (a larger one is skipped there). */
const MAX_EXACT_PLAN = "90071992547409.91"

/** The five indicators; each yields the finding keys of the in-memory engine's shape. */
export const indicatorQueries: Readonly<Record<string, string>> = {
  "super-dumping": `
    WITH lots_of AS (SELECT DISTINCT contract_id, lot_id FROM u WHERE lot_id IS NOT NULL),
    plan AS (SELECT lots_of.contract_id, sum(l.amount) AS plan, count(*) FILTER (WHERE l.id IS NULL) AS missing
             FROM lots_of LEFT JOIN l ON l.id = lots_of.lot_id GROUP BY lots_of.contract_id)
    SELECT 'super-dumping:' || fr.id AS key FROM fr JOIN plan ON plan.contract_id = fr.id
    WHERE fr.ref_contract_status_id IN ${COMMON_STATUS} AND plan.missing = 0 AND plan.plan > 0 AND plan.plan <= ${MAX_EXACT_PLAN}
      AND (plan.plan - fr.contract_sum_wnds) * 100 > 30 * plan.plan`,
  "minimal-dumping": `
    WITH lots_of AS (SELECT DISTINCT contract_id, lot_id FROM u WHERE lot_id IS NOT NULL),
    plan AS (SELECT lots_of.contract_id, sum(l.amount) AS plan, count(*) FILTER (WHERE l.id IS NULL) AS missing
             FROM lots_of LEFT JOIN l ON l.id = lots_of.lot_id GROUP BY lots_of.contract_id)
    SELECT 'minimal-dumping:' || fr.id AS key FROM fr JOIN plan ON plan.contract_id = fr.id
    WHERE fr.ref_contract_status_id IN ${COMMON_STATUS} AND plan.missing = 0 AND plan.plan > 0 AND plan.plan <= ${MAX_EXACT_PLAN}
      AND plan.plan - fr.contract_sum_wnds > 0 AND (plan.plan - fr.contract_sum_wnds) * 100 <= 1 * plan.plan`,
  // Instants to Almaty calendar dates: the zone's wall-clock time of each, cut to its day.
  "accelerated-payment": `
    WITH first_pay AS (
      SELECT v.chain_key, min(p.pay_date) AS paid
      FROM v JOIN p ON p.contract_id = v.id GROUP BY v.chain_key)
    SELECT 'accelerated-payment:' || fr.id AS key FROM fr JOIN first_pay ON first_pay.chain_key = fr.id
    WHERE fr.ref_contract_status_id IN ${PAYMENT_STATUS}
      AND date_diff('day',
            CAST(fr.crdate AT TIME ZONE ${ALMATY} AS DATE),
            CAST(first_pay.paid AT TIME ZONE ${ALMATY} AS DATE)) < 5`,
  "sum-growth": `
    WITH ordered AS (
      SELECT chain_key, contract_sum_wnds AS s, fakt_sum_wnds AS f,
        row_number() OVER (PARTITION BY chain_key
          ORDER BY (id = chain_key AND parent_id IS NULL AND (root_id IS NULL OR root_id = id)) DESC,
            sign_date NULLS LAST, crdate, id) AS rn,
        count(*) OVER (PARTITION BY chain_key) AS n
      FROM v WHERE NOT is_deleted),
    ends AS (
      SELECT chain_key, any_value(n) AS n,
        any_value(s) FILTER (WHERE rn = 1) AS s_first, any_value(s) FILTER (WHERE rn = n) AS s_last,
        any_value(f) FILTER (WHERE rn = 1) AS f_first, any_value(f) FILTER (WHERE rn = n) AS f_last
      FROM ordered WHERE rn = 1 OR rn = n GROUP BY chain_key)
    SELECT 'sum-growth:' || fr.id AS key FROM fr JOIN ends ON ends.chain_key = fr.id
    WHERE fr.ref_contract_status_id IN ${COMMON_STATUS} AND ends.n >= 2
      AND ((ends.s_first > 0 AND (ends.s_last - ends.s_first) * 100 > 20 * ends.s_first)
        OR (ends.f_first > 0 AND (ends.f_last - ends.f_first) * 100 > 20 * ends.f_first))`,
  partnership: `
    WITH roots AS (SELECT customer_bin, supplier_biin FROM fr WHERE ref_contract_status_id IN ${COMMON_STATUS}),
    pairs AS (SELECT customer_bin, supplier_biin, count(*) AS n_pair FROM roots GROUP BY ALL),
    by_supplier AS (SELECT supplier_biin, count(*) AS n_supplier FROM roots GROUP BY ALL),
    by_customer AS (SELECT customer_bin, count(*) AS n_customer FROM roots GROUP BY ALL)
    SELECT 'partnership:' || pairs.customer_bin || ':' || pairs.supplier_biin AS key
    FROM pairs JOIN by_supplier USING (supplier_biin) JOIN by_customer USING (customer_bin)
    WHERE n_pair >= 5 AND n_pair * 10 > 8 * n_supplier AND n_pair * 10 > 5 * n_customer`
}
