import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { copyStage, inRange, inTwoHalves, type KeyRange, type SplitOptions } from "./keyRange.ts"
import { withPlanMethodsOff } from "./planner.ts"
import { pgArray } from "./values.ts"

/**
 * Chain keys, as core's `AnalysisDataset.chainKeyOf`: a version's `root_id` when it names one; otherwise the top
 * of its `parent_id` line, where a parent missing from the data ends the walk at that parent's id, a version with
 * a root id ends it at that root id, and a line longer than MAX_PARENT_WALK (a cycle) ends where the walk stopped.
 *
 * The walk is a recursive CTE over `start` (versions: id, parent_id, root_id, fin_part); its last step per version
 * decides the key, and each version keeps its own partition beside its key.
 *
 * A step looks its parent up by id alone, which probes every yearly partition: the parent's partition is not
 * known yet when the parent arrived in the same batch. Only amendments without a root id take steps (roots end
 * their walk at once), so the probes stay few.
 */
const MAX_PARENT_WALK = 10_000

const walkSql = (start: string): string => `
  walk(start_id, start_part, cur_id, cur_parent, cur_root, steps) AS (
    SELECT id, fin_part, id, parent_id, root_id, 0 FROM (${start}) AS start
    UNION ALL
    -- LATERAL with LIMIT makes each step an index probe, not a join over the whole table.
    SELECT w.start_id, w.start_part, p.id, p.parent_id, p.root_id, w.steps + 1
    FROM walk w CROSS JOIN LATERAL (SELECT c.id, c.parent_id, c.root_id FROM contract c WHERE c.id = w.cur_parent LIMIT 1) p
    WHERE w.cur_root IS NULL AND w.cur_parent IS NOT NULL AND w.steps < ${MAX_PARENT_WALK}
  ),
  walked AS (
    SELECT DISTINCT ON (start_id) start_id AS contract_id, start_part AS fin_part,
      CASE WHEN cur_root IS NOT NULL THEN cur_root
           WHEN cur_parent IS NULL OR steps >= ${MAX_PARENT_WALK} THEN cur_id
           ELSE cur_parent END AS chain_key
    FROM walk
    ORDER BY start_id, steps DESC
  )`

/** The versions on a parent line without root ids whose parent is `alias`.id (partial index rootless_parent). */
const childrenOf = (alias: string): string => `
  SELECT c.id, c.parent_id, c.root_id, c.fin_part FROM contract c
  WHERE c.parent_id = ${alias}.id AND c.root_id IS NULL AND c.parent_id IS NOT NULL OFFSET 0`

/** The statement of {@link chainKeyMaintenance}. */
const chainKeyMaintenanceStatement = (
  sql: SqlClient.SqlClient,
  changed: ReadonlyArray<ChangedVersion>,
  queue: boolean
) =>
  sql`
    WITH RECURSIVE changed(id, parent_id, root_id, fin_part) AS MATERIALIZED (
      SELECT * FROM unnest(${pgArray(changed.map((c) => c.id))}::bigint[],
                           ${pgArray(changed.map((c) => c.parentId))}::bigint[],
                           ${pgArray(changed.map((c) => c.rootId))}::bigint[],
                           ${pgArray(changed.map((c) => c.finPart))}::int[])
    ),
    -- Children are probed per version (LATERAL … OFFSET 0, see upsert.ts) rather than joined: a join read the
    -- whole partial index of rootless versions for every batch.
    below(id, parent_id, root_id, fin_part) AS (
      SELECT c.id, c.parent_id, c.root_id, c.fin_part FROM changed a
      CROSS JOIN LATERAL (${sql.literal(childrenOf("a"))}) c
      UNION
      SELECT c.id, c.parent_id, c.root_id, c.fin_part FROM below b
      CROSS JOIN LATERAL (${sql.literal(childrenOf("b"))}) c
    ),
    ${sql.literal(walkSql("SELECT * FROM changed UNION SELECT * FROM below"))},
    old AS (
      SELECT cc.chain_key FROM walked k
      CROSS JOIN LATERAL (SELECT cc.chain_key FROM contract_chain cc WHERE cc.contract_id = k.contract_id OFFSET 0) cc
    ),
    stored AS (
      INSERT INTO contract_chain (contract_id, fin_part, chain_key) SELECT contract_id, fin_part, chain_key FROM walked
      ON CONFLICT (contract_id) DO UPDATE SET fin_part = excluded.fin_part, chain_key = excluded.chain_key
      WHERE (contract_chain.fin_part, contract_chain.chain_key) <> (excluded.fin_part, excluded.chain_key)
    )
    ${sql.literal(
      queue
        ? "INSERT INTO refresh_chain (chain_key) SELECT chain_key FROM walked UNION SELECT chain_key FROM old ON CONFLICT DO NOTHING"
        : "SELECT 1"
    )}`

export interface ChangedVersion {
  readonly id: number
  readonly parentId: number | null
  readonly rootId: number | null
  /** The partition the version is stored in now (upsert.ts finPartOf). */
  readonly finPart: number
}

/**
 * After versions were inserted or changed: recomputes the chain key of each, and of every version below it on a
 * parent line without root ids (their keys depend on their ancestors), stores them with each version's partition
 * (a changed financial year moved the version), then queues the old and new chain keys of all of them for the
 * incremental refresh (`queue`; upsert.ts `queued`). The changed versions come from the batch itself, so only
 * parent lines are looked up.
 */
export const chainKeyMaintenance = (
  changed: ReadonlyArray<ChangedVersion>,
  queue: boolean
): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* chainKeyMaintenanceStatement(sql, changed, queue)
  })

const DIFF_COLUMNS = "contract_id, fin_part, chain_key, stored"

/**
 * The versions with ids in `range` whose stored chain entry differs from the records (`stored`: an entry exists;
 * a NULL chain key: the entry's version does not). The expected rows and the stored ones meet in one full join.
 */
const chainDiffSql = (range: KeyRange): string => `
  WITH RECURSIVE ${walkSql(
    `SELECT id, parent_id, root_id, fin_part FROM contract
     WHERE root_id IS NULL AND parent_id IS NOT NULL AND ${inRange("id", range)}`
  )},
  expected AS (
    SELECT id AS contract_id, fin_part, coalesce(root_id, id) AS chain_key FROM contract
    WHERE (root_id IS NOT NULL OR parent_id IS NULL) AND ${inRange("id", range)}
    UNION ALL
    SELECT contract_id, fin_part, chain_key FROM walked
  )
  SELECT coalesce(e.contract_id, cc.contract_id) AS contract_id, e.fin_part, e.chain_key,
    cc.chain_key IS NOT NULL AS stored
  FROM expected e
  FULL JOIN (SELECT * FROM contract_chain WHERE ${inRange("contract_id", range)}) cc ON cc.contract_id = e.contract_id
  WHERE (e.fin_part, e.chain_key) IS DISTINCT FROM (cc.fin_part, cc.chain_key)`

/**
 * Recomputes every version's chain key and partition from the records and writes only the differences, so a full
 * indicator run also repairs the import-maintained table without locking it against readers; normally nothing
 * differs and nothing is written. Returns how many versions' entries it wrote or deleted.
 *
 * From `splitFromRows` entries on, a second connection checks the upper half of the ids into
 * chain_key_diff_stage while this one checks the lower half (keyRange.ts `inTwoHalves`): the check is one serial
 * statement over every version.
 */
export const rebuildChainKeys = (
  options: SplitOptions
): Effect.Effect<number, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`DROP TABLE IF EXISTS aq_chain_diff`
    // A merge join of the expected keys, sorted by id, with the chain table in its primary key's order: a hash of
    // the whole chain table spilled to disk at 15M contracts (30–46 s against 22–23 s, measured under load).
    yield* withPlanMethodsOff(["hashjoin"])(
      inTwoHalves(
        {
          by: "contract_id",
          lowerShare: 0.5,
          here: (range) => sql.unsafe(`CREATE TEMP TABLE aq_chain_diff ON COMMIT DROP AS ${chainDiffSql(range)}`),
          upper: (range) => [
            "TRUNCATE chain_key_diff_stage",
            `INSERT INTO chain_key_diff_stage (${DIFF_COLUMNS}) ${chainDiffSql(range)}`
          ],
          gather: copyStage("chain_key_diff_stage", "aq_chain_diff", DIFF_COLUMNS)
        },
        options
      )
    )
    yield* sql`
      UPDATE contract_chain cc SET fin_part = d.fin_part, chain_key = d.chain_key FROM aq_chain_diff d
      WHERE d.contract_id = cc.contract_id AND d.stored AND d.chain_key IS NOT NULL`
    yield* sql`
      INSERT INTO contract_chain (contract_id, fin_part, chain_key)
      SELECT contract_id, fin_part, chain_key FROM aq_chain_diff WHERE NOT stored`
    yield* sql`
      DELETE FROM contract_chain cc USING aq_chain_diff d WHERE d.contract_id = cc.contract_id AND d.chain_key IS NULL`
    const [diff] = yield* sql<{ readonly n: unknown }>`SELECT count(*) AS n FROM aq_chain_diff`
    return Number(diff?.n ?? 0)
  })
