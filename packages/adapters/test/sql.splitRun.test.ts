/**
 * A full run's statements split between two connections (snapshotPeer.ts): the chain facts (facts.ts
 * `rebuildFacts`) equal the ones built by one connection alone, members numbered on the other side of the split
 * included, with the upper half left in chain_fact's child; the chain-key check (chains.ts `rebuildChainKeys`)
 * repairs damage in both halves as the check alone does; the findings of a run equal a run's alone; a failure on the second connection fails the whole and leaves
 * that connection outside any transaction, and a failure on the run's own connection cancels the second one's
 * statement and rolls its transaction back; a run that fails after the second connection committed leaves the next
 * refresh a full run. PGlite has one connection and works alone.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { layerStorage } from "../src/postgres/Database.ts"
import { rebuildChainKeys } from "../src/postgres/chains.ts"
import { rebuildFacts } from "../src/postgres/facts.ts"
import { SqlImporter } from "../src/postgres/PgImporter.ts"
import { makeSqlIndicatorEngine } from "../src/postgres/PgIndicatorEngine.ts"
import { withSnapshotPeer } from "../src/postgres/snapshotPeer.ts"
import { backends } from "./support/databases.ts"
import { C2, contract, lot, payment, S3, unit } from "./support/edgeCases.ts"
import { allFindings, byKey, generatedRecords, sourceItems } from "./support/engines.ts"

const ALWAYS = { splitFromRows: 0 }
const NEVER = { splitFromRows: Number.POSITIVE_INFINITY }

/**
 * Chains whose members lie far from their keys, so that any split between the generated ids divides them: a root
 * below every generated id with amendments above them all (a parent line, and a root id), and a version below
 * them all whose root id names a chain above them all. Each has units on lots and payments.
 */
const farMembers = [
  contract({ id: 10, sum: "5000.00", sign: "2023-02-01 10:00:00" }),
  contract({ id: 9990_000_001, parent: 10, sum: "6500.00", sign: "2023-03-01 10:00:00" }),
  contract({ id: 9990_000_002, root: 10, parent: 9990_000_001, sum: "7100.00", sign: "2023-04-01 10:00:00" }),
  contract({ id: 99_000_100, customer: C2, supplier: S3, sum: "800.00", sign: "2023-06-01 10:00:00" }),
  contract({ id: 20, root: 99_000_100, customer: C2, supplier: S3, sum: "950.00", sign: "2023-07-01 10:00:00" }),
  lot(970_000_001, "4000.00"),
  lot(970_000_002, "1500.00"),
  unit(980_000_001, 10, 970_000_001),
  unit(980_000_002, 10, 970_000_002),
  unit(980_000_003, 99_000_100, 970_000_002),
  payment(990_000_001, 9990_000_002, "2023-04-05 09:00:00"),
  payment(990_000_002, 10, "2023-02-20 09:00:00"),
  payment(990_000_003, 20, "2023-07-02 09:00:00")
]

const chainTable = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ line: string }>`SELECT (cc.*)::text AS line FROM contract_chain cc ORDER BY contract_id`
  return rows.map((r) => r.line)
})

/**
 * Damage in both halves of the ids: a wrong key and a lost entry among the lowest ids, a wrong partition and a
 * lost entry among the highest, an orphan entry below and above them all.
 */
const damageChainTable = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const low = yield* sql<{
    id: string
  }>`SELECT contract_id::text AS id FROM contract_chain ORDER BY contract_id LIMIT 2`
  const high = yield* sql<{ id: string }>`
    SELECT contract_id::text AS id FROM contract_chain ORDER BY contract_id DESC LIMIT 2`
  const [low1, low2, high1, high2] = [low[0]?.id, low[1]?.id, high[0]?.id, high[1]?.id]
  assert.isTrue(low1 !== undefined && low2 !== undefined && high1 !== undefined && high2 !== undefined)
  yield* sql`UPDATE contract_chain SET chain_key = chain_key + 1 WHERE contract_id = ${low1}::bigint`
  yield* sql`DELETE FROM contract_chain WHERE contract_id = ${low2}::bigint`
  yield* sql`UPDATE contract_chain SET fin_part = fin_part + 1 WHERE contract_id = ${high1}::bigint`
  yield* sql`DELETE FROM contract_chain WHERE contract_id = ${high2}::bigint`
  yield* sql`INSERT INTO contract_chain (contract_id, fin_part, chain_key) VALUES (3, 0, 3), (987654321, 0, 987654321)`
})

/** chain_fact as text, one line per chain in key order. */
const factLines = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ line: string }>`SELECT (f.*)::text AS line FROM chain_fact f ORDER BY chain_key`
  return rows.map((r) => r.line)
})

/**
 * Where the facts are: rows in chain_fact itself and in its child chain_fact_upper, and how many lie on the wrong
 * side of the split key (every row belongs in chain_fact itself without one).
 */
const placement = (splitAt: bigint | undefined) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const at = splitAt === undefined ? null : String(splitAt)
    const [row] = yield* sql<{ own: number; upper: number; misplaced: number }>`
      SELECT (SELECT count(*) FROM ONLY chain_fact)::int AS own, (SELECT count(*) FROM chain_fact_upper)::int AS upper,
        ((SELECT count(*) FROM ONLY chain_fact WHERE chain_key >= ${at}::bigint)
          + (SELECT count(*) FROM chain_fact_upper WHERE ${at}::bigint IS NULL OR chain_key < ${at}::bigint))::int
          AS misplaced`
    return { own: row?.own ?? -1, upper: row?.upper ?? -1, misplaced: row?.misplaced ?? -1 }
  })

const load = Effect.gen(function* () {
  const importer = yield* SqlImporter
  const sql = yield* SqlClient.SqlClient
  const items = yield* sourceItems([...generatedRecords(1_500, 47), ...farMembers])
  yield* importer.importSource(Stream.fromIterable(items))
  yield* sql`ANALYZE contract_chain`
})

for (const backend of backends()) {
  describe(`a full run in two halves (${backend.name})`, () => {
    it.live("equal the facts built alone, members across the split included", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* load
        const split = yield* sql.withTransaction(rebuildFacts(ALWAYS))
        const halves = yield* factLines
        const placed = yield* placement(split.splitAt)
        const alone = yield* sql.withTransaction(rebuildFacts(NEVER))
        assert.isUndefined(alone.splitAt)
        assert.deepStrictEqual(halves, yield* factLines)
        assert.isAbove(halves.length, 1000)
        // Alone, every chain is in chain_fact itself and the child is empty.
        assert.deepStrictEqual(yield* placement(undefined), { own: halves.length, upper: 0, misplaced: 0 })
        if (backend.name === "pglite") {
          assert.isUndefined(split.splitAt, "PGlite has one connection")
          return
        }
        const at = split.splitAt
        assert.isDefined(at)
        // Halved, the chains from the split key on are in the child, the others in chain_fact itself.
        assert.strictEqual(placed.own + placed.upper, halves.length)
        assert.isAbove(placed.upper, 300)
        assert.strictEqual(placed.misplaced, 0)
        // Both halves had chains, and members on the other side of the split from their keys.
        const sides = yield* sql<{ below: number; above: number; across: number }>`
          SELECT count(DISTINCT chain_key) FILTER (WHERE chain_key < ${String(at)}::bigint)::int AS below,
            count(DISTINCT chain_key) FILTER (WHERE chain_key >= ${String(at)}::bigint)::int AS above,
            count(*) FILTER (WHERE (chain_key < ${String(at)}::bigint) <> (contract_id < ${String(at)}::bigint))::int
              AS across
          FROM contract_chain`
        assert.isAbove(sides[0]?.below ?? 0, 300)
        assert.isAbove(sides[0]?.above ?? 0, 300)
        assert.isAtLeast(sides[0]?.across ?? 0, 3)
        // The far members' chains: every version counted, the first and last sums (in tiyn) and the plans found.
        const far = yield* sql<{ key: string; n: number; first: string; last: string; plan: string | null }>`
          SELECT chain_key::text AS key, n_versions AS n, first_sum::text AS first, last_sum::text AS last,
            plan_sum::text AS plan
          FROM chain_fact WHERE chain_key IN (10, 99000100) ORDER BY chain_key`
        assert.deepStrictEqual(
          far.map((r) => [r.key, r.n, r.first, r.last, r.plan]),
          [
            ["10", 3, "500000", "710000", "550000"],
            ["99000100", 2, "80000", "95000", "150000"]
          ]
        )
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("the chain-key check in two halves repairs what the check alone repairs", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* load
        const maintained = yield* chainTable
        assert.strictEqual(yield* sql.withTransaction(rebuildChainKeys(ALWAYS)), 0)
        assert.deepStrictEqual(yield* chainTable, maintained)
        for (const options of [ALWAYS, NEVER]) {
          yield* damageChainTable
          assert.notDeepEqual(yield* chainTable, maintained)
          assert.strictEqual(yield* sql.withTransaction(rebuildChainKeys(options)), 6)
          assert.deepStrictEqual(yield* chainTable, maintained)
        }
        const stage = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM chain_key_diff_stage`
        assert.strictEqual(stage[0]?.n, 0)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("after the run's chain-key repair the facts are built alone, from the repaired table", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* load
        const maintained = yield* chainTable
        yield* sql.withTransaction(rebuildFacts(NEVER))
        const expected = yield* factLines
        yield* damageChainTable
        // The repair is the run's own uncommitted write: a second connection would build from the damaged table.
        yield* (yield* makeSqlIndicatorEngine(undefined, ALWAYS)).run()
        assert.deepStrictEqual(yield* chainTable, maintained)
        assert.deepStrictEqual(yield* factLines, expected)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )

    it.live("a run with the split finds what a run alone finds", () =>
      Effect.gen(function* () {
        yield* load
        const split = yield* makeSqlIndicatorEngine(undefined, ALWAYS)
        const alone = yield* makeSqlIndicatorEngine(undefined, NEVER)
        const first = yield* split.run()
        const findings = byKey(yield* allFindings())
        assert.isAbove(findings.length, 10)
        const second = yield* alone.run()
        assert.deepStrictEqual(byKey(yield* allFindings()), findings)
        assert.deepStrictEqual(second.stats, first.stats)
      }).pipe(Effect.provide(layerStorage(backend.layer())))
    )
  })
}

const postgres = backends().find((b) => b.name === "postgres")
if (postgres !== undefined) {
  describe("a full run in two halves (postgres): failures", () => {
    const noTransactionLeftOpen = Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const open = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state LIKE 'idle in transaction%'`
      assert.strictEqual(open[0]?.n, 0)
      // Every pooled connection is usable.
      const ones = yield* Effect.all(
        Array.from({ length: 4 }, () => sql`SELECT 1 AS one`),
        { concurrency: 4 }
      )
      assert.strictEqual(ones.length, 4)
    })

    /** Runs `breaking`, which makes the second connection's statements fail, then `work`: it fails naming `mention`. */
    const failsAfter = <A, E, R>(breaking: string, mention: string, work: Effect.Effect<A, E, R>) =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe(breaking)
        const failed = yield* Effect.exit(sql.withTransaction(work))
        assert.isTrue(Exit.isFailure(failed) && Cause.pretty(failed.cause).includes(mention))
      })

    it.live("a failure on the second connection fails the build and leaves no transaction open", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* load
        yield* sql.withTransaction(rebuildFacts(NEVER))
        const before = yield* factLines
        // Only the second connection writes into the child, so only its insert fails.
        yield* failsAfter(
          "ALTER TABLE chain_fact_upper ADD CONSTRAINT probe_no_rows CHECK (chain_key < 0) NOT VALID",
          "probe_no_rows",
          rebuildFacts(ALWAYS)
        )
        // Both transactions rolled back: the facts are the last build's.
        assert.deepStrictEqual(yield* factLines, before)
        yield* noTransactionLeftOpen
      }).pipe(Effect.provide(layerStorage(postgres.layer())))
    )

    it.live(
      "a run that fails after the second connection committed its half leaves a full run to the next refresh",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* load
          const engine = yield* makeSqlIndicatorEngine(undefined, ALWAYS)
          yield* engine.run()
          const findings = byKey(yield* allFindings())
          const facts = yield* factLines
          yield* sql`CREATE FUNCTION probe_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'probe failure'; END $$`
          yield* sql`CREATE TRIGGER probe_fail BEFORE INSERT ON finding FOR EACH STATEMENT EXECUTE FUNCTION probe_fail()`
          const failed = yield* Effect.exit(engine.run())
          assert.isTrue(Exit.isFailure(failed) && Cause.pretty(failed.cause).includes("probe failure"))
          yield* sql`DROP TRIGGER probe_fail ON finding`
          // The upper half stayed as the second connection committed it, beside the lower half rolled back to the last
          // run's: nothing marks the derived tables as whole any more.
          const marks = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM derived_table_state`
          assert.strictEqual(marks[0]?.n, 0)
          const refreshed = yield* engine.refresh()
          assert.strictEqual(refreshed.mode, "full")
          assert.deepStrictEqual(byKey(yield* allFindings()), findings)
          assert.deepStrictEqual(yield* factLines, facts)
          const marked = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM derived_table_state`
          assert.strictEqual(marked[0]?.n, 1)
          yield* noTransactionLeftOpen
        }).pipe(Effect.provide(layerStorage(postgres.layer())))
    )

    it.live("a failure on the run's own connection cancels the second one's statement and rolls it back", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const peer = ["CREATE TABLE peer_probe (x int)", "INSERT INTO peer_probe VALUES (1)", "SELECT pg_sleep(60)"]
        // The run's side fails once the second connection is asleep in its last statement.
        const asleep = Effect.gen(function* () {
          for (;;) {
            // Inside a transaction pg_stat_activity is a snapshot taken at its first read.
            yield* sql`SELECT pg_stat_clear_snapshot()`
            const rows = yield* sql<{ n: number }>`
              SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)' AND state = 'active'`
            if ((rows[0]?.n ?? 0) > 0) return
            yield* Effect.sleep("20 millis")
          }
        })
        const failed = yield* Effect.exit(
          sql.withTransaction(withSnapshotPeer(peer, Effect.andThen(asleep, sql`SELECT 1 / 0`)))
        )
        assert.isTrue(Exit.isFailure(failed) && Cause.pretty(failed.cause).includes("division by zero"))
        const sleeping = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)' AND state = 'active'`
        assert.strictEqual(sleeping[0]?.n, 0)
        const probe = yield* sql<{ name: string | null }>`SELECT to_regclass('peer_probe')::text AS name`
        assert.isNull(probe[0]?.name ?? null, "the second connection's transaction rolled back")
        yield* noTransactionLeftOpen
      }).pipe(Effect.provide(layerStorage(postgres.layer())))
    )

    it.live("a failure on the second connection fails the chain-key check and rolls its repair back", () =>
      Effect.gen(function* () {
        yield* load
        yield* damageChainTable
        const damaged = yield* chainTable
        // The stage is gone: the second connection's first statement fails.
        yield* failsAfter("DROP TABLE chain_key_diff_stage", "chain_key_diff_stage", rebuildChainKeys(ALWAYS))
        assert.deepStrictEqual(yield* chainTable, damaged)
        yield* noTransactionLeftOpen
      }).pipe(Effect.provide(layerStorage(postgres.layer())))
    )
  })
}
