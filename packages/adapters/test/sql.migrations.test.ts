/**
 * Migrations on PostgreSQL 15 and PGlite: up on an empty database, nothing on a second run, and a failing
 * migration leaves the database as it was. Also: the SQL script splitter, the seeded regions against core's list,
 * and the server's Asia/Almaty calendar days against core's (the offset changed on 2024-03-01).
 */
import { randomBytes } from "node:crypto"
import { readdirSync } from "node:fs"
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { almatyDay, FindingStore, formatDay, REGIONS } from "@adalqarau/core"
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { DEFAULT_MIGRATIONS_DIR, runMigrations, splitStatements } from "../src/postgres/migrations.ts"
import { instantText } from "../src/postgres/values.ts"
import { layerStorage } from "../src/postgres/Database.ts"
import { backends, pgAdminUrl, pgTestDatabaseUrl } from "./support/databases.ts"

/** The ids of the repository's migration files (other packages add their own). */
const FILE_IDS = readdirSync(DEFAULT_MIGRATIONS_DIR)
  .flatMap((f) => (/^(\d+)_.+\.sql$/u.exec(f)?.[1] === undefined ? [] : [Number(/^(\d+)_/u.exec(f)?.[1])]))
  .sort((a, b) => a - b)

const tables = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`
  return rows.map((r) => r.name)
})

const appliedIds = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ id: unknown }>`SELECT migration_id AS id FROM schema_migrations ORDER BY migration_id`
  return rows.map((r) => Number(r.id))
})

/**
 * A copy of the migrations folder: only the files up to and including `upTo` (a database as an earlier release
 * left it), plus extra `files` (failure scenarios).
 */
const copyOfMigrations = (options: { readonly upTo?: number; readonly files?: Record<string, string> }) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const dir = await mkdtemp(join(tmpdir(), "aq-migrations-"))
      const { upTo } = options
      await cp(DEFAULT_MIGRATIONS_DIR, dir, {
        recursive: true,
        filter: (source) => {
          const id = /(\d+)_[^/]+\.sql$/u.exec(source)?.[1]
          return upTo === undefined || id === undefined || Number(id) <= upTo
        }
      })
      for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), text)
      return dir
    }),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

describe("splitStatements", () => {
  it("splits at top-level semicolons only", () => {
    const script = `-- a comment; with a semicolon
CREATE TABLE a (x text DEFAULT 'a;b', "we;ird" int); /* block ; /* nested ; */ still */
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'x;y' $$;
CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body1$ SELECT $$;$$ $body1$;
SELECT E'it\\'s; fine', 'it''s; fine';
-- trailing comment only`
    const statements = splitStatements(script)
    assert.strictEqual(statements.length, 4)
    assert.match(statements[0] as string, /^-- a comment; with a semicolon\nCREATE TABLE a/u)
    assert.match(statements[2] as string, /\$body1\$$/u)
    assert.strictEqual(statements[3], "SELECT E'it\\'s; fine', 'it''s; fine'")
  })
})

for (const backend of backends()) {
  describe(`migrations (${backend.name})`, () => {
    it.live("apply on an empty database, then nothing on a second run", () =>
      Effect.gen(function* () {
        const first = yield* runMigrations()
        assert.deepStrictEqual(
          first.map(([id]) => id),
          FILE_IDS
        )
        assert.includeMembers(FILE_IDS, [1, 2, 3])
        const second = yield* runMigrations()
        assert.deepStrictEqual(second, [])
        assert.deepStrictEqual(yield* appliedIds, FILE_IDS)
        const names = yield* tables
        for (const table of [
          "contract",
          "contract_fy2023",
          "contract_fy_other",
          "finding",
          "rejected_record",
          "import_batch"
        ])
          assert.include(names, table)

        const sql = yield* SqlClient.SqlClient
        const regions = yield* sql<{ code: string; name_ru: string; name_kk: string; name_en: string }>`
          SELECT code, name_ru, name_kk, name_en FROM region ORDER BY code`
        assert.deepStrictEqual(
          regions.map((r) => [r.code, r.name_ru, r.name_kk, r.name_en]),
          REGIONS.map((r) => [r.code, r.ru, r.kk, r.en])
        )
      }).pipe(Effect.provide(backend.layer("empty")))
    )

    it.live("a failing migration leaves the database as it was", () =>
      Effect.gen(function* () {
        yield* runMigrations()
        const before = yield* tables
        const dir = yield* copyOfMigrations({
          files: {
            "9901_good.sql": "CREATE TABLE aq_should_vanish (x int);",
            "9902_bad.sql": "CREATE TABLE aq_also_vanishes (y int);\nINSERT INTO aq_also_vanishes VALUES (1 / 0);"
          }
        })
        const exit = yield* Effect.exit(runMigrations(dir))
        assert.isTrue(Exit.isFailure(exit))
        assert.deepStrictEqual(yield* tables, before)
        assert.deepStrictEqual(yield* appliedIds, FILE_IDS)
        // Fixed, the same folder applies cleanly, once.
        yield* Effect.promise(() => writeFile(join(dir, "9902_bad.sql"), "CREATE TABLE aq_also_vanishes (y int);"))
        const applied = yield* runMigrations(dir)
        assert.deepStrictEqual(
          applied.map(([id]) => id),
          [9901, 9902]
        )
        assert.deepStrictEqual(yield* runMigrations(dir), [])
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )

    it.live("a failure in the first migration of an empty database leaves no table behind", () =>
      Effect.gen(function* () {
        const dir = yield* copyOfMigrations({ files: { "0002_imports.sql": "CREATE TABLE x (a int);\nSELECT 1 / 0;" } })
        const exit = yield* Effect.exit(runMigrations(dir))
        assert.isTrue(Exit.isFailure(exit))
        // The migrator creates its bookkeeping table before its transaction; nothing else remains.
        assert.deepStrictEqual(yield* tables, ["schema_migrations"])
        assert.deepStrictEqual(yield* appliedIds, [])
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )

    it.live("0009 names each stored version's partition in contract_chain, keeping its keys and indexes", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const earlier = yield* copyOfMigrations({ upTo: 8 })
        assert.deepStrictEqual(
          (yield* runMigrations(earlier)).map(([id]) => id),
          FILE_IDS.filter((id) => id <= 8)
        )
        // Versions in two yearly partitions and the default one, a chain over two of them, and an entry whose
        // version is gone (a full run would have dropped it; the migration has no partition to give it).
        yield* sql`
          INSERT INTO contract (id, fin_part, fin_year, deleted, crdate) VALUES
            (11, 2022, 2022, false, now()), (12, 2023, 2023, false, now()), (13, 0, NULL, false, now())`
        yield* sql`INSERT INTO contract_chain (contract_id, chain_key) VALUES (11, 11), (12, 11), (13, 13), (99, 99)`

        assert.deepStrictEqual(
          (yield* runMigrations()).map(([id]) => id),
          FILE_IDS.filter((id) => id > 8)
        )
        const rows = yield* sql<{ contract_id: string; fin_part: number; chain_key: string }>`
          SELECT contract_id::text AS contract_id, fin_part, chain_key::text AS chain_key FROM contract_chain
          ORDER BY contract_id`
        assert.deepStrictEqual(
          rows.map((r) => [r.contract_id, r.fin_part, r.chain_key]),
          [
            ["11", 2022, "11"],
            ["12", 2023, "11"],
            ["13", 0, "13"]
          ]
        )
        const indexes = yield* sql<{ name: string }>`
          SELECT indexname AS name FROM pg_indexes WHERE tablename = 'contract_chain' ORDER BY indexname`
        assert.deepStrictEqual(
          indexes.map((i) => i.name),
          ["contract_chain_key_idx", "contract_chain_pkey"]
        )
        const duplicate = yield* Effect.exit(
          sql`INSERT INTO contract_chain (contract_id, fin_part, chain_key) VALUES (11, 2022, 11)`
        )
        assert.isTrue(Exit.isFailure(duplicate), "contract_id stays the primary key")
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )

    it.live("0011 makes the derived tables unlogged, keeping their rows, and records them as built", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations(yield* copyOfMigrations({ upTo: 10 }))
        yield* sql`
          INSERT INTO indicator_run (mode, started_at, finished_at, indicators, params, findings, stats) VALUES
            ('full', now(), now(), '{}', '{}', 0, '{}'), ('full', now(), now(), '{}', '{}', 0, '{}'),
            ('refresh', now(), now(), '{}', '{}', 0, '{}')`
        yield* sql`INSERT INTO chain_fact (chain_key, n_versions) VALUES (7, 1)`
        yield* sql`INSERT INTO pair_count (customer_bin, supplier_bin, n, latest) VALUES ('1', '2', 3, now())`

        assert.deepStrictEqual(
          (yield* runMigrations(yield* copyOfMigrations({ upTo: 18 }))).map(([id]) => id),
          FILE_IDS.filter((id) => id > 10 && id <= 18)
        )
        const persistence = yield* sql<{ name: string; persistence: string }>`
          SELECT relname AS name, relpersistence AS persistence FROM pg_class
          WHERE relname IN ('chain_fact', 'pair_count', 'derived_table_state') ORDER BY relname`
        assert.deepStrictEqual(
          persistence.map((r) => `${r.name}:${r.persistence}`),
          ["chain_fact:u", "derived_table_state:u", "pair_count:u"]
        )
        const kept = yield* sql<{ facts: number; pairs: number; built: string }>`
          SELECT (SELECT count(*)::int FROM chain_fact) AS facts, (SELECT count(*)::int FROM pair_count) AS pairs,
            (SELECT built_by_run::text FROM derived_table_state) AS built`
        assert.deepStrictEqual(kept[0], { facts: 1, pairs: 1, built: "2" }, "the last full run built them")
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )

    it.live("0021 rewords stored payments dated before creation as days before it, and nothing else", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations(yield* copyOfMigrations({ upTo: 20 }))
        const old = (days: number) =>
          [
            `Первая оплата 2023-05-08 через ${days} дн. после создания договора 2023-05-10 (порог: менее 5 дн.).`,
            `First payment on 2023-05-08, ${days} day(s) after the contract was created on 2023-05-10 (threshold: fewer than 5).`
          ] as const
        for (const [id, indicator, days] of [
          [1, "accelerated-payment", -2],
          [2, "accelerated-payment", 3],
          [3, "sum-growth", -2]
        ] as const) {
          const [ru, en] = old(days)
          yield* sql`
            INSERT INTO finding (key, indicator, subject_kind, contract_id, customer_bin, supplier_bin, measures,
              thresholds, explanation_ru, explanation_en)
            VALUES (${`${indicator}:${id}`}, ${indicator}, 'contract', ${id}, '1', '2',
              ${JSON.stringify({ days: String(days), contract_created: "2023-05-10", first_payment: "2023-05-08" })}::jsonb,
              '{"max_days": "5"}'::jsonb, ${ru}, ${en})`
        }
        yield* runMigrations()
        const rows = yield* sql<{ key: string; ru: string; en: string }>`
          SELECT key, explanation_ru AS ru, explanation_en AS en FROM finding ORDER BY contract_id`
        assert.deepStrictEqual(
          rows.map((r) => [r.key, r.ru, r.en]),
          [
            [
              "accelerated-payment:1",
              "Первая оплата 2023-05-08 за 2 дн. до создания договора 2023-05-10 (порог: менее 5 дн.).",
              "First payment on 2023-05-08, 2 day(s) before the contract was created on 2023-05-10 (threshold: fewer than 5)."
            ],
            ["accelerated-payment:2", ...old(3)],
            ["sum-growth:3", ...old(-2)]
          ]
        )
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )

    it.live("0019 forgets who built the derived tables, so the next refresh runs in full under the new rules", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations(yield* copyOfMigrations({ upTo: 18 }))
        yield* sql`
          INSERT INTO indicator_run (mode, started_at, finished_at, indicators, params, findings, stats) VALUES
            ('full', now(), now(), '{}', '{}', 0, '{}')`
        yield* sql`INSERT INTO derived_table_state (built_by_run) SELECT max(id) FROM indicator_run`
        assert.deepStrictEqual(
          (yield* runMigrations()).map(([id]) => id),
          FILE_IDS.filter((id) => id > 18)
        )
        const state = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM derived_table_state`
        assert.strictEqual(state[0]?.n, 0)
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )

    it.live("0012 makes the derived tables' BINs bytewise, and a subject join still finds its region", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations()
        const columns = yield* sql<{ name: string; collation: string | null }>`
          SELECT table_name || '.' || column_name AS name, collation_name AS collation FROM information_schema.columns
          WHERE table_name IN ('chain_fact', 'pair_count') AND column_name LIKE '%bin' ORDER BY 1`
        assert.deepStrictEqual(
          columns.map((c) => `${c.name}:${c.collation}`),
          [
            "chain_fact.customer_bin:C",
            "chain_fact.supplier_bin:C",
            "pair_count.customer_bin:C",
            "pair_count.supplier_bin:C"
          ]
        )
        yield* sql`INSERT INTO subject (bin, region) VALUES ('000140000002', '75')`
        yield* sql`INSERT INTO chain_fact (chain_key, customer_bin, n_versions) VALUES (1, '000140000002', 1)`
        const joined = yield* sql<{ region: string | null }>`
          SELECT s.region FROM chain_fact f LEFT JOIN subject s ON s.bin = f.customer_bin COLLATE "default"`
        assert.deepStrictEqual(joined, [{ region: "75" }])
        // Why the join names the default collation: left implicit, "C" wins and subject's key cannot serve it.
        const probes = (collate: string) =>
          sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`SET LOCAL enable_seqscan = off`
              const plan = yield* sql.unsafe<{ "QUERY PLAN": string }>(
                `EXPLAIN SELECT s.region FROM chain_fact f LEFT JOIN subject s ON s.bin = f.customer_bin${collate}`
              )
              return plan.some((r) => r["QUERY PLAN"].includes("subject_pkey"))
            })
          )
        assert.isTrue(yield* probes(` COLLATE "default"`))
        assert.isFalse(yield* probes(""))
      }).pipe(Effect.provide(backend.layer("empty")))
    )

    it.live(
      "0015 and 0017 keep autovacuum off the full run's inserts and stage, not off the refreshes' dead rows",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* runMigrations()
          const options = yield* sql<{ line: string }>`
          SELECT relname || ': ' || coalesce(array_to_string(reloptions, ','), '') AS line FROM pg_class
          WHERE relname IN ('chain_fact', 'chain_fact_upper', 'pair_count', 'chain_key_diff_stage', 'finding')
          ORDER BY relname`
          assert.deepStrictEqual(
            options.map((r) => r.line),
            [
              "chain_fact: autovacuum_vacuum_insert_threshold=-1",
              "chain_fact_upper: autovacuum_vacuum_insert_threshold=-1",
              "chain_key_diff_stage: autovacuum_enabled=false",
              "finding: ",
              "pair_count: autovacuum_vacuum_insert_threshold=-1"
            ]
          )
        }).pipe(Effect.provide(backend.layer("empty")))
    )

    it.live("0017's chain_fact_upper is chain_fact's unlogged child, with its columns, collations and indexes", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations()
        const columns = (table: string) =>
          Effect.map(
            sql<{ line: string }>`
              SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || coalesce(c.collname, '') AS line
              FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation
              WHERE a.attrelid = ${table}::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
            (rows) => rows.map((r) => r.line)
          )
        // Index definitions without their names and tables: what a full run rebuilds on each half.
        const indexes = (table: string) =>
          Effect.map(
            sql<{ line: string }>`
              SELECT i.indisprimary || ' ' || regexp_replace(pg_get_indexdef(i.indexrelid), '^.* USING ', '') AS line
              FROM pg_index i WHERE i.indrelid = ${table}::regclass ORDER BY 1`,
            (rows) => rows.map((r) => r.line)
          )
        assert.deepStrictEqual(yield* columns("chain_fact_upper"), yield* columns("chain_fact"))
        assert.include(yield* columns("chain_fact"), "customer_bin text C")
        assert.deepStrictEqual(yield* indexes("chain_fact_upper"), yield* indexes("chain_fact"))
        assert.strictEqual((yield* indexes("chain_fact")).length, 3)
        const child = yield* sql<{ parent: string; persistence: string }>`
          SELECT i.inhparent::regclass::text AS parent, c.relpersistence AS persistence
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhrelid = 'chain_fact_upper'::regclass`
        assert.deepStrictEqual(
          child.map((r) => [r.parent, r.persistence]),
          [["chain_fact", "u"]]
        )
        assert.isNull(
          (yield* sql<{ name: string | null }>`SELECT to_regclass('chain_fact_stage')::text AS name`)[0]?.name ?? null
        )
      }).pipe(Effect.provide(backend.layer("empty")))
    )

    it.live("0016's digit checks accept exactly the values the regex checks before it accepted", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations(yield* copyOfMigrations({ upTo: 15 }))
        yield* sql`INSERT INTO subject (bin, kato) VALUES ('000140000002', '751110000')`
        yield* sql`INSERT INTO lot (id, amount, customer_bin) VALUES (1, 0, '000140000002')`
        yield* sql`
          INSERT INTO contract (id, fin_part, deleted, crdate, customer_bin, supplier_bin)
          VALUES (1, 0, false, now(), '000140000002', '990140000001')`
        assert.deepStrictEqual(
          (yield* runMigrations()).map(([id]) => id),
          FILE_IDS.filter((id) => id > 15)
        )
        const bins = [
          "000140000002",
          "00014000000",
          "0001400000023",
          "00014000000a",
          " 00014000000",
          "00014000000\n",
          "+00140000002",
          "",
          "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661",
          "\uff10\uff10\uff10\uff11\uff14\uff10\uff10\uff10\uff10\uff10\uff10\uff12",
          "0001400000\u00b2"
        ]
        const katos = ["75", "7", "751110000", "7511100001", "7a", "\uff17\uff15", "75 ", ""]
        const accepted = (statement: Effect.Effect<unknown, unknown>) =>
          Effect.map(Effect.exit(statement), (exit) => Exit.isSuccess(exit))
        const rule = (value: string, pattern: string) =>
          Effect.map(sql<{ ok: boolean }>`SELECT ${value} ~ ${pattern} AS ok`, (rows) => rows[0]?.ok === true)
        let id = 100
        for (const bin of bins) {
          const expected = yield* rule(bin, "^[0-9]{12}$")
          id++
          assert.strictEqual(
            yield* accepted(sql`
              INSERT INTO contract (id, fin_part, deleted, crdate, customer_bin) VALUES (${id}, 0, false, now(), ${bin})`),
            expected,
            `contract.customer_bin ${JSON.stringify(bin)}`
          )
          assert.strictEqual(
            yield* accepted(sql`
              INSERT INTO contract (id, fin_part, deleted, crdate, supplier_bin) VALUES (${id + 1000}, 0, false, now(), ${bin})`),
            expected,
            `contract.supplier_bin ${JSON.stringify(bin)}`
          )
          assert.strictEqual(
            yield* accepted(sql`INSERT INTO lot (id, amount, customer_bin) VALUES (${id}, 0, ${bin})`),
            expected,
            `lot.customer_bin ${JSON.stringify(bin)}`
          )
          assert.strictEqual(
            yield* accepted(sql`INSERT INTO subject (bin) VALUES (${bin}) ON CONFLICT DO NOTHING`),
            expected,
            `subject.bin ${JSON.stringify(bin)}`
          )
        }
        for (const kato of katos) {
          assert.strictEqual(
            yield* accepted(sql`UPDATE subject SET kato = ${kato} WHERE bin = '000140000002'`),
            yield* rule(kato, "^[0-9]{2,9}$"),
            `subject.kato ${JSON.stringify(kato)}`
          )
        }
        const nulls = yield* accepted(sql`
          INSERT INTO contract (id, fin_part, deleted, crdate, customer_bin, supplier_bin) VALUES (5000, 0, false, now(), NULL, NULL)`)
        assert.isTrue(nulls, "a missing BIN passes, as before")
      }).pipe(Effect.scoped, Effect.provide(backend.layer("empty")))
    )

    it.live("0011 on a database without a full run records nothing as built", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations()
        assert.deepStrictEqual(yield* sql`SELECT * FROM derived_table_state`, [])
      }).pipe(Effect.provide(backend.layer("empty")))
    )

    it.live("calendar days in Asia/Almaty agree with core's, across the 2024-03-01 offset change", () =>
      Effect.gen(function* () {
        yield* runMigrations()
        const sql = yield* SqlClient.SqlClient
        const instants: Array<number> = []
        // Every 10 minutes around the change (UTC+6 until 2024-02-29 18:00 UTC, UTC+5 after), and every 7 h
        // 37 min from 1995 to 2030 (a step that walks through all hours of the day).
        for (let t = Date.UTC(2024, 1, 28); t < Date.UTC(2024, 2, 3); t += 600_000) instants.push(t)
        for (let t = Date.UTC(1995, 0, 1); t < Date.UTC(2030, 0, 1); t += 27_420_000) instants.push(t)
        for (let i = 0; i < instants.length; i += 5_000) {
          const chunk = instants.slice(i, i + 5_000)
          const rows = yield* sql<{ day: string }>`
            SELECT to_char(aq_almaty_day(t), 'YYYY-MM-DD') AS day
            FROM unnest(${`{${chunk.map(instantText).join(",")}}`}::timestamptz[]) WITH ORDINALITY AS u(t, n)
            ORDER BY n`
          assert.deepStrictEqual(
            rows.map((r) => r.day),
            chunk.map((t) => formatDay(almatyDay(t)))
          )
        }
      }).pipe(Effect.provide(backend.layer("empty")))
    )
  })
}

const pgUrl = pgAdminUrl()

describe.skipIf(pgUrl === undefined)("migrations (postgres, a role that may only read)", () => {
  it.live("an up-to-date database is only read: a read-only role opens the storage and lists findings", () =>
    Effect.gen(function* () {
      const url = yield* pgTestDatabaseUrl(pgUrl as string)
      const role = `aq_reader_${randomBytes(4).toString("hex")}`
      const owner = PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* runMigrations()
        yield* sql`CREATE ROLE ${sql(role)} LOGIN`
        yield* sql`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${sql(role)}`
      }).pipe(Effect.provide(owner))
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`DROP OWNED BY ${sql(role)}`
          yield* sql`DROP ROLE ${sql(role)}`
        }).pipe(Effect.provide(owner), Effect.orDie)
      )
      const readerUrl = new URL(url)
      readerUrl.username = role
      const reader = PgClient.layer({ url: Redacted.make(readerUrl.toString()), maxConnections: 2 })
      const page = yield* Effect.gen(function* () {
        const findings = yield* FindingStore
        return yield* findings.query({ limit: 5 })
      }).pipe(Effect.provide(layerStorage(reader)))
      assert.deepStrictEqual(page.findings, [])
      // The same role cannot migrate a database that is behind: it says so rather than pretending.
      const newer = yield* copyOfMigrations({ files: { "9901_more.sql": "CREATE TABLE aq_more (x int);" } })
      const behind = yield* Effect.exit(runMigrations(newer).pipe(Effect.provide(reader)))
      assert.isTrue(Exit.isFailure(behind))
      assert.match(String(Exit.isFailure(behind) ? behind.cause : ""), /permission denied/u)
    }).pipe(Effect.scoped)
  )
})
