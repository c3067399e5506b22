import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ImportHistory, type PruneReport, RejectStore, SqlIndicatorEngine } from "@adalqarau/adapters/postgres"
import { completeBin, ContractStore, FindingStore, UserStore, type Username } from "@adalqarau/core"
import { Cause, ConfigProvider, Deferred, Effect, Exit, Fiber, Layer, Option, Scope, Stdio } from "effect"
import { SqlClient } from "effect/sql"
import { TestConsole } from "effect/testing"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { pgAdminUrl, pgTestDatabaseUrl } from "../../adapters/test/support/databases.ts"
import { CliFailure, EXIT_USAGE, runGenerate } from "../src/cli/index.ts"
import { withDatabase } from "../src/cli/database.ts"
import { runFindings } from "../src/cli/findings.ts"
import { runImport } from "../src/cli/import.ts"
import { runImports } from "../src/cli/imports.ts"
import { runPruneRejections } from "../src/cli/pruneRejections.ts"
import { readRejects, runRejects } from "../src/cli/rejects.ts"
import { RejectionsPerPage } from "../src/cli/storedRejects.ts"
import { runMigrate } from "../src/cli/migrate.ts"
import { runServe } from "../src/cli/serve.ts"
import { runCreateUser } from "../src/cli/users.ts"

/**
 * The database commands, in process, on a fresh PostgreSQL database of the test cluster when there is one and on a
 * fresh embedded PGlite folder otherwise — the same code path `adalqarau` takes with and without DATABASE_URL.
 */
let root: string
let env: Record<string, string>
let dropDatabase: () => Promise<void> = async () => {}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "adalqarau-cli-db-"))
  env = { ADALQARAU_DATA_DIR: join(root, "data") }
  const adminUrl = pgAdminUrl()
  if (adminUrl !== undefined) {
    const scope = Effect.runSync(Scope.make())
    env.DATABASE_URL = await Effect.runPromise(Scope.provide(scope)(pgTestDatabaseUrl(adminUrl)))
    dropDatabase = () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
  await Effect.runPromise(provide(runGenerate({ contracts: 400, seed: 11, out: join(root, "dataset"), json: true })))
}, 120_000)

afterAll(async () => {
  await dropDatabase()
  await rm(root, { recursive: true, force: true })
})

/** What the commands run in: this environment alone (no process.env) and silent standard streams. */
const cliEnv = (vars: Record<string, string>) =>
  Layer.mergeAll(ConfigProvider.layer(ConfigProvider.fromEnv({ env: vars })), Stdio.layerTest({}))

const provide = <A, E>(effect: Effect.Effect<A, E, Stdio.Stdio>) => effect.pipe(Effect.provide(cliEnv(env)))

const run = <A>(effect: Effect.Effect<A, CliFailure, Stdio.Stdio>) => Effect.runPromise(provide(effect))
const fails = async (effect: Effect.Effect<unknown, CliFailure, Stdio.Stdio>): Promise<CliFailure> => {
  const exit = await Effect.runPromiseExit(provide(effect))
  if (Exit.isSuccess(exit)) throw new Error("expected the command to fail")
  const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (failure === undefined || !(failure.error instanceof CliFailure)) throw new Error(String(exit.cause))
  return failure.error
}

const plantedFlags = async (): Promise<Array<string>> =>
  (await readFile(join(root, "dataset", "ground_truth.jsonl"), "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { key: string; expected: string })
    .filter((label) => label.expected === "flag")
    .map((label) => label.key)
    .sort()

const storedFindingKeys = withDatabase(
  Effect.gen(function* () {
    const page = yield* (yield* FindingStore).query({ limit: 10_000 })
    return page.findings.map((f) => f.key).sort()
  }).pipe(Effect.mapError((e) => new CliFailure({ message: e.message, exitCode: 1 })))
)

describe("database commands", () => {
  it("migrate, import (twice: idempotent) and the stored findings equal the planted cases", async () => {
    await run(runMigrate)
    await run(runMigrate)
    await run(runImport({ dir: join(root, "dataset"), batchSize: 1000, refresh: true, json: true }))
    assert.deepStrictEqual(await run(storedFindingKeys), await plantedFlags())
    await run(runImport({ dir: join(root, "dataset"), batchSize: 1000, refresh: true, json: true }))
    assert.deepStrictEqual(await run(storedFindingKeys), await plantedFlags())
  }, 180_000)

  it("import shows the records read and their rate on a terminal while it runs, and clears the line", async () => {
    const dir = join(root, "progress-dataset")
    await run(runGenerate({ contracts: 2_000, seed: 12, out: dir, json: true }))
    const writes: Array<string> = []
    const terminal = { isTTY: true, write: (text: string) => void writes.push(text) }
    // A database of its own, so the planted findings of the other tests stay as they are.
    const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "progress-data") }
    await Effect.runPromise(
      Effect.gen(function* () {
        const adminUrl = pgAdminUrl()
        if (adminUrl !== undefined) local.DATABASE_URL = yield* pgTestDatabaseUrl(adminUrl)
        yield* runImport({ dir, batchSize: 1000, refresh: false, json: true }, terminal).pipe(
          Effect.provide(cliEnv(local))
        )
      }).pipe(Effect.scoped)
    )
    const shown = writes.join("")
    assert.match(shown, /importing .*progress-dataset: 1\d,\d{3} records, [\d,]+ records\/s, /u)
    assert.isTrue(shown.endsWith("\r\x1b[2K"), "the progress line is cleared at the end")
  }, 120_000)

  it("import interrupted says which committed batches stay imported, and the database agrees", async () => {
    const dir = join(root, "interrupt-dataset")
    await run(runGenerate({ contracts: 6_000, seed: 13, out: dir, json: true }))
    const writes: Array<string> = []
    let shown: () => void = () => {}
    const progressShown = new Promise<void>((resolve) => {
      shown = resolve
    })
    const terminal = {
      isTTY: true,
      write: (text: string) => {
        writes.push(text)
        if (text.includes("records/s")) shown()
      }
    }
    const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "interrupt-data") }
    const scope = Effect.runSync(Scope.make())
    const adminUrl = pgAdminUrl()
    if (adminUrl !== undefined) {
      local.DATABASE_URL = await Effect.runPromise(Scope.provide(scope)(pgTestDatabaseUrl(adminUrl)))
    }
    const provideLocal = Effect.provide(cliEnv(local))
    try {
      const fiber = Effect.runFork(
        runImport({ dir, batchSize: 500, refresh: false, json: true }, terminal).pipe(provideLocal)
      )
      await progressShown
      const exit = await Effect.runPromise(Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber))))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      const said = writes.join("")
      const match =
        /import interrupted: at least ([\d,]+) committed batch(?:es stay|\s+stays) imported \(([\d,]+) records/u.exec(
          said
        )
      assert.isNotNull(match, said)
      const [batches, records] = [Number(match?.[1]?.replace(/,/gu, "")), Number(match?.[2]?.replace(/,/gu, ""))]
      assert.isAtLeast(records, 10_000)
      const stored = await Effect.runPromise(
        withDatabase(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const rows = yield* sql<{ batches: number; records: number }>`
              SELECT count(*)::int AS batches, coalesce(sum(read), 0)::int AS records FROM import_batch`
            return rows[0]
          }).pipe(Effect.mapError((e) => new CliFailure({ message: e.message, exitCode: 1 })))
        ).pipe(provideLocal)
      )
      // "At least": a batch that committed in the instant before the interruption may not be counted yet.
      assert.isAtLeast(stored?.batches ?? 0, batches)
      assert.isAtMost(stored?.batches ?? 0, batches + 1)
      assert.isAtLeast(stored?.records ?? 0, records)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }, 120_000)

  it("import --rejects writes every rejection in file order, batch after batch; rejects --out reads them back", async () => {
    const dir = join(root, "rejects-dataset")
    await mkdir(dir)
    // Rejected lines spread over many small batches, which a bulk load into PostgreSQL writes two at a time.
    await writeFile(
      join(dir, "contracts.jsonl"),
      `${Array.from({ length: 30 }, (_, i) => `{not json ${i}`).join("\n")}\n`
    )
    const rejectsPath = join(root, "import-rejects.jsonl")
    const laterPath = join(root, "rejects-later.jsonl")
    const quiet = { isTTY: false, write: () => {} }
    const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "rejects-data") }
    await Effect.runPromise(
      Effect.gen(function* () {
        const adminUrl = pgAdminUrl()
        if (adminUrl !== undefined) local.DATABASE_URL = yield* pgTestDatabaseUrl(adminUrl)
        yield* Effect.gen(function* () {
          yield* runImport({ dir, batchSize: 3, refresh: false, json: true, rejects: rejectsPath }, quiet)
          yield* runRejects({ limit: 50, out: laterPath, json: false })
        }).pipe(Effect.provide(cliEnv(local)))
      }).pipe(Effect.scoped)
    )
    const lines = async (path: string) =>
      (await readFile(path, "utf8"))
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as { line: number; value: string })
    const written = await lines(rejectsPath)
    assert.deepStrictEqual(
      written.map((r) => r.line),
      Array.from({ length: 30 }, (_, i) => i + 1)
    )
    assert.deepStrictEqual(await lines(laterPath), written)
  }, 120_000)

  it("imports and prune-rejections over the same database: pruned rejections are said so, the counts stay", async () => {
    const dir = join(root, "prune-dataset")
    const goodDir = join(root, "prune-good-dataset")
    await mkdir(dir)
    await mkdir(goodDir)
    await writeFile(join(dir, "contracts.jsonl"), "{bad 1\n{bad 2\n{bad 3\n")
    const contract = {
      id: 1,
      crdate: "2023-03-14 10:20:30",
      customer_bin: completeBin("00074000130"),
      supplier_biin: completeBin("99014000123"),
      contract_sum_wnds: 1000
    }
    await writeFile(join(goodDir, "contracts.jsonl"), `${JSON.stringify(contract)}\n`)
    const quiet = { isTTY: false, write: () => {} }
    const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "prune-data") }
    const { listed, table, deleted, rejects } = await Effect.runPromise(
      Effect.gen(function* () {
        const adminUrl = pgAdminUrl()
        if (adminUrl !== undefined) local.DATABASE_URL = yield* pgTestDatabaseUrl(adminUrl)
        return yield* Effect.gen(function* () {
          // Batches of 2: the first import's rejections are kept in two batches, both pruned.
          yield* runImport({ dir, batchSize: 2, refresh: false, json: true }, quiet)
          yield* runImport({ dir, batchSize: 2, refresh: false, json: true }, quiet)
          // Rejects nothing: there are no rejections to keep.
          yield* runImport({ dir: goodDir, batchSize: 2, refresh: false, json: true }, quiet)
          const printed = Effect.map(TestConsole.logLines, (lines) => lines.map(String))
          yield* runPruneRejections({ before: 2, json: true })
          const deleted = JSON.parse((yield* printed).at(-1) ?? "") as Record<string, unknown>
          yield* runImports({ limit: 20, json: true })
          const listed = JSON.parse((yield* printed).at(-1) ?? "") as {
            imports: ReadonlyArray<{
              importId: number
              batches: number
              rejected: number
              rejections: string
              rejectionsPrunedAt: string | null
            }>
          }
          yield* runImports({ limit: 20, json: false })
          const table = ((yield* printed).at(-2) ?? "").split("\n")
          const rejects = yield* Effect.flip(runRejects({ importId: 1, limit: 50, json: false }))
          return { listed, table, deleted, rejects }
        }).pipe(Effect.provide(Layer.merge(cliEnv(local), TestConsole.layer)))
      }).pipe(Effect.scoped)
    )
    assert.deepStrictEqual(
      { ...deleted, prunedAt: typeof deleted.prunedAt },
      {
        before: 2,
        imports: 1,
        records: 3,
        prunedAt: "string"
      }
    )
    assert.deepStrictEqual(
      listed.imports.map((i) => [i.importId, i.batches, i.rejected, i.rejections, i.rejectionsPrunedAt]),
      [
        [3, 1, 0, "none", null],
        [2, 2, 3, "kept", null],
        [1, 2, 3, "pruned", deleted.prunedAt]
      ]
    )
    // The table says the same, in the same words.
    assert.deepStrictEqual(
      table.slice(2).map((line) => / {2}(none|kept|pruned \S+)$/u.exec(line)?.[1]),
      ["none", "kept", `pruned ${String(deleted.prunedAt)}`]
    )
    assert.strictEqual(
      rejects.message,
      `the 3 rejected records of import 1 (${dir}) were pruned at ${String(deleted.prunedAt)} ` +
        "(adalqarau imports prune-rejections); only its counts are kept: adalqarau imports"
    )
  }, 120_000)

  // A pruning from another connection (another adalqarau) cannot reach PGlite, whose data folder one process holds.
  it.skipIf(pgAdminUrl() === undefined)(
    "rejects reads an import in one snapshot: a pruning committed between two of its pages leaves the listing whole",
    async () => {
      const dir = join(root, "snapshot-dataset")
      await mkdir(dir)
      await writeFile(join(dir, "contracts.jsonl"), `${Array.from({ length: 5 }, (_, i) => `{bad ${i}`).join("\n")}\n`)
      const quiet = { isTTY: false, write: () => {} }
      const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "snapshot-data") }
      let pruned: Option.Option<PruneReport> = Option.none()
      // Once the store has handed out its first page, import 1's rejections are pruned and committed before the
      // next page is asked for: by a fiber forked outside the reader's transaction, so on a connection of its own,
      // as another adalqarau would.
      const pruningAfterFirstPage = Layer.effect(
        RejectStore,
        Effect.gen(function* () {
          const store = yield* RejectStore
          const history = yield* ImportHistory
          const firstPageRead = yield* Deferred.make<void>()
          const pruning = yield* Deferred.await(firstPageRead).pipe(
            Effect.andThen(history.pruneRejections(2)),
            Effect.forkScoped
          )
          return RejectStore.of({
            ...store,
            page: (importId, options) =>
              store.page(importId, options).pipe(
                Effect.tap(() =>
                  Deferred.succeed(firstPageRead, undefined).pipe(
                    Effect.andThen(Fiber.join(pruning)),
                    Effect.orDie,
                    Effect.flatMap((report) =>
                      Effect.sync(() => {
                        pruned = report
                      })
                    )
                  )
                )
              )
          })
        })
      )
      const { listed, after } = await Effect.runPromise(
        Effect.gen(function* () {
          const adminUrl = pgAdminUrl()
          if (adminUrl !== undefined) local.DATABASE_URL = yield* pgTestDatabaseUrl(adminUrl)
          return yield* Effect.gen(function* () {
            yield* runImport({ dir, batchSize: 10, refresh: false, json: true }, quiet)
            yield* runImport({ dir, batchSize: 10, refresh: false, json: true }, quiet)
            yield* withDatabase(
              readRejects({ importId: 1, limit: 50, json: true }).pipe(
                Effect.provide(pruningAfterFirstPage),
                Effect.provideService(RejectionsPerPage, 2)
              )
            )
            const listed = JSON.parse((yield* TestConsole.logLines).map(String).at(-1) ?? "") as {
              rejected: number
              rejections: ReadonlyArray<{ line: number }>
            }
            const after = yield* Effect.flip(runRejects({ importId: 1, limit: 50, json: false }))
            return { listed, after }
          }).pipe(Effect.provide(Layer.merge(cliEnv(local), TestConsole.layer)))
        }).pipe(Effect.scoped)
      )
      assert.deepStrictEqual(
        Option.map(pruned, (report) => [report.imports, report.records]),
        Option.some([1, 5]),
        "the pruning committed while the pages were read"
      )
      assert.strictEqual(listed.rejected, 5)
      assert.deepStrictEqual(
        listed.rejections.map((r) => r.line),
        [1, 2, 3, 4, 5]
      )
      assert.match(after.message, /^the 5 rejected records of import 1 .* were pruned at /u)
    },
    120_000
  )

  it("import that fails part-way says what stays imported and still writes the committed batches' rejections", async () => {
    const dir = join(root, "failing-dataset")
    await mkdir(dir)
    const contracts = (await readFile(join(root, "dataset", "contracts.jsonl"), "utf8")).split("\n").slice(0, 4)
    const failing = (JSON.parse(contracts[3] as string) as { id: number }).id
    // Batches of 3: the bad lines, then three contracts, then the one a trigger refuses, then more after it.
    await writeFile(join(dir, "contracts.jsonl"), `{bad 1\n{bad 2\n{bad 3\n${contracts.join("\n")}\n`)
    const rejectsPath = join(root, "failing-rejects.jsonl")
    const quiet = { isTTY: false, write: () => {} }
    const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "failing-data") }
    const failure = await Effect.runPromise(
      Effect.gen(function* () {
        const adminUrl = pgAdminUrl()
        if (adminUrl !== undefined) local.DATABASE_URL = yield* pgTestDatabaseUrl(adminUrl)
        return yield* Effect.gen(function* () {
          yield* withDatabase(
            Effect.gen(function* () {
              const sql = yield* SqlClient.SqlClient
              yield* sql.unsafe(
                `CREATE FUNCTION refuse_contract() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                   IF NEW.id = ${failing} THEN RAISE EXCEPTION 'contract % refused', NEW.id; END IF; RETURN NEW;
                 END $$`
              )
              yield* sql.unsafe(
                "CREATE TRIGGER refuse_contract BEFORE INSERT ON contract FOR EACH ROW EXECUTE FUNCTION refuse_contract()"
              )
            }).pipe(Effect.mapError((e) => new CliFailure({ message: String(e), exitCode: 1 })))
          )
          return yield* Effect.flip(
            runImport({ dir, batchSize: 3, refresh: false, json: true, rejects: rejectsPath }, quiet)
          )
        }).pipe(Effect.provide(cliEnv(local)))
      }).pipe(Effect.scoped)
    )
    assert.include(failure.message, `contract ${failing} refused`)
    assert.match(
      failure.message,
      /\n2 batches committed before the failure stay imported \(6 records, 3 rejected: adalqarau rejects --import \d+; all written to /u
    )
    const written = (await readFile(rejectsPath, "utf8")).split("\n").filter((line) => line !== "")
    assert.deepStrictEqual(
      written.map((line) => (JSON.parse(line) as { line: number }).line),
      [1, 2, 3]
    )
  }, 120_000)

  it("import names the indicators its refresh left out because no run has evaluated them", async () => {
    const quiet = { isTTY: false, write: () => {} }
    const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "never-evaluated-data") }
    const { text, json } = await Effect.runPromise(
      Effect.gen(function* () {
        const adminUrl = pgAdminUrl()
        if (adminUrl !== undefined) local.DATABASE_URL = yield* pgTestDatabaseUrl(adminUrl)
        return yield* Effect.gen(function* () {
          const dir = join(root, "dataset")
          yield* runImport({ dir, batchSize: 1000, refresh: false, json: true }, quiet)
          // The only run so far, as started through the server: super-dumping alone.
          yield* withDatabase(
            Effect.flatMap(SqlIndicatorEngine, (engine) => engine.run({ only: ["super-dumping"] })).pipe(
              Effect.mapError((e) => new CliFailure({ message: e.message, exitCode: 1 }))
            )
          )
          const printed = Effect.map(TestConsole.logLines, (lines) => lines.map(String))
          yield* runImport({ dir, batchSize: 1000, refresh: true, json: false }, quiet)
          const text = yield* printed
          yield* runImport({ dir, batchSize: 1000, refresh: true, json: true }, quiet)
          const json = JSON.parse((yield* printed).at(-1) ?? "") as {
            refresh: { indicators: ReadonlyArray<string>; neverEvaluated: ReadonlyArray<string> }
          }
          return { text, json }
        }).pipe(Effect.provide(Layer.merge(cliEnv(local), TestConsole.layer)))
      }).pipe(Effect.scoped)
    )
    assert.include(
      text,
      "Not refreshed, as no run has evaluated them yet: minimal-dumping, accelerated-payment, sum-growth, " +
        "partnership (a run that evaluates them, started through the server, chooses their parameters; refreshes " +
        "keep them current from then on)"
    )
    assert.deepStrictEqual(json.refresh.indicators, ["super-dumping"])
    assert.deepStrictEqual(json.refresh.neverEvaluated, [
      "minimal-dumping",
      "accelerated-payment",
      "sum-growth",
      "partnership"
    ])
  }, 120_000)

  it("a database it cannot use is named with the server's reason, not the driver's generic one", async () => {
    const adminUrl = pgAdminUrl()
    const url = new URL(adminUrl ?? "postgres://postgres@127.0.0.1:1/postgres")
    // A database that does not exist on the test cluster; without one, a port where nothing listens.
    if (adminUrl === undefined) url.port = "1"
    else url.pathname = "/adalqarau_no_such_database"
    const failure = await Effect.runPromiseExit(
      runFindings({ indicators: [], regions: [], limit: 10, json: true }).pipe(
        Effect.provide(
          Layer.mergeAll(
            ConfigProvider.layer(ConfigProvider.fromEnv({ env: { DATABASE_URL: url.href } })),
            Stdio.layerTest({})
          )
        )
      )
    )
    assert.isTrue(Exit.isFailure(failure))
    const message = String(Exit.isFailure(failure) ? failure.cause.reasons.find((r) => r._tag === "Fail")?.error : "")
    assert.notInclude(message, "PgConnection: Failed to connect")
    assert.match(
      message,
      adminUrl === undefined
        ? /ECONNREFUSED/u
        : /database "adalqarau_no_such_database" does not exist \(SQLSTATE 3D000\)/u
    )
  })

  it("findings validates every filter before reading, and exports to a file", async () => {
    assert.strictEqual(
      (await fails(runFindings({ indicators: [], regions: [], customer: "123", limit: 5, json: true }))).exitCode,
      EXIT_USAGE
    )
    assert.strictEqual(
      (await fails(runFindings({ indicators: [], regions: ["99"], limit: 5, json: true }))).exitCode,
      EXIT_USAGE
    )
    assert.strictEqual(
      (await fails(runFindings({ indicators: [], regions: [], from: "2023-02-30", limit: 5, json: true }))).exitCode,
      EXIT_USAGE
    )
    const known = "super-dumping, minimal-dumping, accelerated-payment, sum-growth, partnership"
    for (const indicators of [["SUPER-DUMPING"], ["super-dumping", "SUPER-DUMPING"]]) {
      const unknown = await fails(runFindings({ indicators, regions: [], limit: 5, json: true }))
      assert.strictEqual(unknown.exitCode, EXIT_USAGE)
      assert.strictEqual(unknown.message, `--indicator SUPER-DUMPING: unknown indicator; known: ${known}`)
    }
    const inverted = await fails(
      runFindings({ indicators: [], regions: [], from: "2024-06-30", to: "2024-01-01", limit: 5, json: true })
    )
    assert.strictEqual(inverted.exitCode, EXIT_USAGE)
    assert.strictEqual(inverted.message, "--to 2024-01-01 is before --from 2024-06-30: the range holds nothing")
    // The same day as both ends holds that whole day.
    await run(runFindings({ indicators: [], regions: [], from: "2024-01-01", to: "2024-01-01", limit: 5, json: true }))
    const out = join(root, "findings.jsonl")
    await run(runFindings({ indicators: ["super-dumping"], regions: [], limit: 50, out, json: false }))
    const exported = (await readFile(out, "utf8")).split("\n").filter((l) => l !== "")
    const planted = (await plantedFlags()).filter((k) => k.startsWith("super-dumping:"))
    assert.deepStrictEqual(exported.map((l) => (JSON.parse(l) as { key: string }).key).sort(), planted)
  }, 120_000)

  it("findings refuses a wrong flag as such (exit 2) before it opens the database, even one it cannot reach", async () => {
    const unreachable = (effect: Effect.Effect<unknown, CliFailure, Stdio.Stdio>) =>
      Effect.runPromiseExit(
        effect.pipe(
          Effect.provide(
            Layer.mergeAll(
              ConfigProvider.layer(
                ConfigProvider.fromEnv({ env: { DATABASE_URL: "postgres://postgres@127.0.0.1:1/postgres" } })
              ),
              Stdio.layerTest({})
            )
          )
        )
      )
    const wrong = [
      [{ indicators: ["SUPER-DUMPING"], regions: [], limit: 5, json: true }, "--indicator SUPER-DUMPING"],
      [{ indicators: [], regions: [], from: "2024-06-30", to: "2024-01-01", limit: 5, json: true }, "--to 2024-01-01"],
      [{ indicators: [], regions: ["99"], limit: 5, json: true }, "--region 99"],
      [{ indicators: [], regions: [], limit: 0, json: true }, "--limit must be at least 1"],
      [{ indicators: [], regions: [], limit: 5, json: true, out: join(root, "findings.txt") }, "findings.txt"]
    ] as const
    for (const [options, named] of wrong) {
      const exit = await unreachable(runFindings(options))
      const failure = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
      assert.instanceOf(failure, CliFailure, String(exit))
      assert.strictEqual((failure as CliFailure).exitCode, EXIT_USAGE, (failure as CliFailure).message)
      assert.include((failure as CliFailure).message, named)
    }
  })

  it("users create stores a hashed password; a taken username is a usage error", async () => {
    await run(runCreateUser({ username: "root-admin", role: "admin", regions: [], passwordStdin: false }))
    const stored = await run(
      withDatabase(
        Effect.flatMap(UserStore, (users) => users.findByUsername("root-admin" as Username)).pipe(
          Effect.mapError((e) => new CliFailure({ message: e.message, exitCode: 1 }))
        )
      )
    )
    assert.isTrue(Option.isSome(stored))
    if (Option.isSome(stored)) {
      assert.deepStrictEqual(stored.value.roles, ["admin"])
      assert.match(stored.value.passwordHash, /^\$scrypt\$/u)
    }
    const taken = await fails(
      runCreateUser({ username: "root-admin", role: "viewer", regions: [], passwordStdin: false })
    )
    assert.strictEqual(taken.exitCode, EXIT_USAGE)
    assert.include(taken.message, "taken")
  }, 120_000)

  it("serve checks its settings before it writes: a bad one leaves an empty database empty", async () => {
    const local: Record<string, string> = { ADALQARAU_DATA_DIR: join(root, "serve-settings-data") }
    const adminUrl = pgAdminUrl()
    const scope = Effect.runSync(Scope.make())
    if (adminUrl !== undefined) {
      local.DATABASE_URL = await Effect.runPromise(Scope.provide(scope)(pgTestDatabaseUrl(adminUrl)))
    }
    const provideEnv = (extra: Record<string, string>) =>
      Effect.provide(
        Layer.mergeAll(
          ConfigProvider.layer(ConfigProvider.fromEnv({ env: { ...local, ...extra } })),
          Stdio.layerTest({})
        )
      )
    try {
      for (const [name, value] of [
        ["PORT", "8o8o"],
        ["JWT_SECRET", "short"],
        ["TRUSTED_PROXIES", "everyone"],
        ["REFRESH_TOKEN_TTL", "-5 days"],
        ["ACCESS_TOKEN_TTL", "0 seconds"],
        ["CORS_ORIGINS", "https://app.example, intranet"],
        ["CORS_ORIGINS", "https://App.example/"]
      ] as const) {
        const failure = await Effect.runPromiseExit(runServe({ demoContracts: 50 }).pipe(provideEnv({ [name]: value })))
        const error = Exit.isFailure(failure) ? failure.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
        assert.instanceOf(error, CliFailure)
        assert.include(error.message, `at ["${name}"]`)
      }
      // A host that does not resolve is found by trying to listen, still before anything is written.
      const host = await Effect.runPromiseExit(
        runServe({ demoContracts: 50 }).pipe(provideEnv({ HOST: "no-such-host.invalid", PORT: "0" }))
      )
      const hostError = Exit.isFailure(host) ? host.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
      assert.instanceOf(hostError, CliFailure)
      assert.include(hostError.message, "cannot listen on no-such-host.invalid:0 (HOST, PORT)")
      const written = await Effect.runPromise(
        withDatabase(
          Effect.gen(function* () {
            const contracts = (yield* (yield* ContractStore).count).contract
            const users = (yield* (yield* UserStore).list({ limit: 10 })).length
            return { contracts, users }
          }).pipe(Effect.mapError((e) => new CliFailure({ message: e.message, exitCode: 1 })))
        ).pipe(provideEnv({}))
      )
      assert.deepStrictEqual(written, { contracts: 0, users: 0 })
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }, 120_000)

  it("serve on a port already in use fails with the listener's reason", async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))
    const address = busy.address()
    if (address === null || typeof address === "string") throw new Error("no TCP address")
    try {
      const failure = await Effect.runPromiseExit(
        runServe({ demoContracts: 0 }).pipe(
          Effect.provide(
            Layer.mergeAll(
              ConfigProvider.layer(
                ConfigProvider.fromEnv({
                  env: { ...env, HOST: "127.0.0.1", PORT: String(address.port), ADALQARAU_ADMIN_USERNAME: "admin" }
                })
              ),
              Stdio.layerTest({})
            )
          )
        )
      )
      const error = Exit.isFailure(failure) ? failure.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
      assert.instanceOf(error, CliFailure)
      assert.strictEqual(error.exitCode, 1)
      assert.include(error.message, `the server cannot listen on 127.0.0.1:${address.port} (HOST, PORT): `)
      assert.include(error.message, "EADDRINUSE")
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()))
    }
  }, 120_000)
})
