import { spawn } from "node:child_process"
import { access, link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { BatchCounts } from "@adalqarau/adapters/postgres"
import { completeBin } from "@adalqarau/core"
import { Cause, Effect, Exit } from "effect"
import { TestConsole } from "effect/testing"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import {
  type AnalyzeOptions,
  CliFailure,
  EXIT_FAILURE,
  EXIT_USAGE,
  runAnalyze,
  withStderrReporting
} from "../src/cli/index.ts"
import { usageFailure } from "../src/cli/CliFailure.ts"
import { importBalanced, renderImportCounts } from "../src/cli/importSummary.ts"
import { makeProgress } from "../src/cli/progress.ts"

const BIN = fileURLToPath(new URL("../src/bin/adalqarau.ts", import.meta.url))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI as a child process, as a user would (vitest itself runs on Node ≥ 22.19). */
const adalqarauIn = (env: NodeJS.ProcessEnv, args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text
    })
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const adalqarau = (...args: ReadonlyArray<string>): Promise<Run> => adalqarauIn(process.env, args)

const jsonLines = async (path: string): Promise<Array<Record<string, unknown>>> =>
  (await readFile(path, "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "adalqarau-cli-"))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** One contract line of an OWS export, valid unless `overrides` make it otherwise. */
const contractLine = (id: number, overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id,
    crdate: "2023-03-14 10:20:30",
    customer_bin: completeBin("00074000130"),
    supplier_biin: completeBin("99014000123"),
    contract_sum_wnds: 1000,
    ...overrides
  })

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")

const noStackTrace = (text: string): void => assert.notMatch(text, /^\s+at /mu)

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false
  )

describe.concurrent("adalqarau CLI", () => {
  it("indicators --json lists the five indicators with parameters and the common filters", async () => {
    const run = await adalqarau("indicators", "--json")
    assert.strictEqual(run.code, 0, run.stderr)
    const catalogue = JSON.parse(run.stdout) as {
      indicators: Array<{
        code: string
        titles: { ru: string; en: string }
        formula: string
        parameters: Array<{ name: string; default: unknown }>
      }>
      filters: Record<string, unknown>
    }
    assert.deepStrictEqual(
      catalogue.indicators.map((i) => i.code),
      ["super-dumping", "minimal-dumping", "accelerated-payment", "sum-growth", "partnership"]
    )
    const superDumping = catalogue.indicators[0]!
    assert.strictEqual(superDumping.titles.en, "Super-dumping")
    assert.include(superDumping.formula, "(P − C)")
    assert.deepStrictEqual(
      superDumping.parameters.map((p) => [p.name, p.default]),
      [["threshold", 30]]
    )
    assert.deepStrictEqual(Object.keys(catalogue.filters), ["contractTypeIds", "yearTypeIds", "statusIds"])
  })

  it("generate + analyze: the findings are exactly the ground truth's planted flags", async () => {
    const dir = join(root, "generated")
    const generated = await adalqarau("generate", "--contracts", "400", "--seed", "7", "--out", dir, "--json")
    assert.strictEqual(generated.code, 0, generated.stderr)
    const counts = JSON.parse(generated.stdout) as { records: number; labels: number; files: Array<{ file: string }> }
    assert.isAbove(counts.records, 400)
    assert.isAbove(counts.labels, 0)
    assert.include(
      counts.files.map((f) => f.file),
      "ground_truth.jsonl"
    )

    // The JSON summary (with JSON-lines findings) and the plain-text one (with CSV findings), run side by side.
    const findingsPath = join(root, "generated-findings.jsonl")
    const csvPath = join(root, "generated-findings.csv")
    const [analyzed, text] = await Promise.all([
      adalqarau("analyze", dir, "--json", "--out", findingsPath),
      adalqarau("analyze", dir, "--out", csvPath)
    ])
    assert.strictEqual(analyzed.code, 0, analyzed.stderr)
    // generate's ground truth is known, not data: no note about files left unread.
    assert.notInclude(analyzed.stderr, "not read")
    const summary = JSON.parse(analyzed.stdout) as {
      input: { total: { read: number; accepted: number; rejected: number }; balanced: boolean }
      indicators: Array<{ code: string; flagged: number }>
      findings: { total: number; byRegion: Array<{ total: number }> }
    }
    assert.strictEqual(summary.input.total.read, counts.records)
    assert.strictEqual(summary.input.total.read, summary.input.total.accepted + summary.input.total.rejected)
    assert.isTrue(summary.input.balanced)

    const labels = await jsonLines(join(dir, "ground_truth.jsonl"))
    const expected = labels
      .filter((l) => l.expected === "flag")
      .map((l) => `${String(l.indicator)} ${String(l.key)}`)
      .sort()
    const findings = await jsonLines(findingsPath)
    const found = findings.map((f) => `${String(f.indicator)} ${String(f.key)}`).sort()
    assert.isAbove(expected.length, 0)
    assert.deepStrictEqual(found, expected)
    assert.strictEqual(summary.findings.total, findings.length)
    assert.strictEqual(
      summary.findings.byRegion.reduce((sum, r) => sum + r.total, 0),
      findings.length
    )
    assert.strictEqual(
      summary.indicators.reduce((sum, i) => sum + i.flagged, 0),
      findings.length
    )

    // The plain-text summary: aligned tables; the CSV holds the same findings.
    assert.strictEqual(text.code, 0, text.stderr)
    assert.match(text.stdout, /^kind\s+read\s+accepted\s+rejected$/mu)
    assert.match(text.stdout, /^read = accepted \+ rejected: holds for every kind$/mu)
    assert.match(text.stdout, /^super-dumping\s+[\d,]+\s+[\d,]+\s+[\d,]+/mu)
    assert.match(text.stdout, /^\s+all regions(\s+[\d,]+)+$/mu)
    const csv = (await readFile(csvPath, "utf8")).split("\r\n").filter((l) => l !== "")
    assert.strictEqual(csv.length, findings.length + 1)
    assert.match(csv[0]!, /^indicator,key,subject,contract_id,customer_bin,supplier_bin,region,region_name,date,/u)
  })

  it("analyze with a bad params file exits with code 2 and names the file and the parameter, before reading", async () => {
    // The folder does not even exist: parameters are checked before any data is read.
    const dir = join(root, "no-such-folder")
    const bad = join(root, "bad-params.json")
    await writeFile(bad, JSON.stringify({ indicators: { "super-dumping": { threshold: "high" } } }))
    const run = await adalqarau("analyze", dir, "--params", bad)
    assert.strictEqual(run.code, 2)
    assert.strictEqual(run.stdout, "")
    assert.strictEqual(run.stderr.split("\n").filter((l) => l !== "").length, 1)
    assert.include(run.stderr, `adalqarau: params file ${bad}: indicators.super-dumping.threshold: Expected number`)
    noStackTrace(run.stderr)
  })

  it("a wrong invocation (unknown flag or command, bad or missing value) exits 2 with its error once, on stderr; --help exits 0", async () => {
    const wrong: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["analyze", "--bogus", "x"], "Unrecognized flag: --bogus in command adalqarau analyze"],
      [["bogus"], 'Unknown subcommand "bogus" for "adalqarau"'],
      [["generate", "--contracts", "abc"], 'Invalid value for flag --contracts: "abc"'],
      [["analyze"], "Missing required argument: dir"]
    ]
    const [help, ...runs] = await Promise.all([
      adalqarau("analyze", "--help"),
      ...wrong.map(([args]) => adalqarau(...args))
    ])
    wrong.forEach(([args, error], i) => {
      const run = runs[i] as Run
      assert.strictEqual(run.code, 2, args.join(" "))
      assert.strictEqual(run.stderr.split(error).length, 2, run.stderr)
      // Nothing on stdout (the help is for --help), so a `--json` pipe never gets a page of usage text.
      assert.strictEqual(run.stdout, "", args.join(" "))
      assert.include(run.stderr, "--help")
      noStackTrace(run.stderr)
    })
    assert.strictEqual(help.code, 0)
    assert.include(help.stdout, "adalqarau analyze [flags] <dir>")
  })

  it("serve stopped with SIGTERM exits 0 (a clean stop for a service manager), after global flags too", async () => {
    const { DATABASE_URL: _database, ...inherited } = process.env
    const env = { ...inherited, ADALQARAU_DATA_DIR: join(root, "serve-sigterm"), PORT: "0", LOG_FORMAT: "json" }
    const child = spawn(process.execPath, [BIN, "--log-level", "info", "serve", "--demo-contracts", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
      env
    })
    let stdout = ""
    const code = await new Promise<number | null>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (text: string) => {
        stdout += text
        if (stdout.includes("is serving on")) child.kill("SIGTERM")
      })
      child.on("error", reject)
      child.on("close", resolve)
    })
    assert.include(stdout, "is serving on")
    assert.strictEqual(code, 0)
  }, 60_000)

  it("findings --json keeps stdout one JSON value and says on stderr that more match", async () => {
    const { DATABASE_URL: _database, ...inherited } = process.env
    const env = { ...inherited, ADALQARAU_DATA_DIR: join(root, "findings-json") }
    const data = join(root, "findings-json-dataset")
    assert.strictEqual((await adalqarau("generate", "--contracts", "300", "--out", data)).code, 0)
    assert.strictEqual((await adalqarauIn(env, ["import", data])).code, 0)
    const cut = await adalqarauIn(env, ["findings", "--json", "--limit", "1"])
    assert.strictEqual(cut.code, 0, cut.stderr)
    assert.lengthOf(JSON.parse(cut.stdout) as ReadonlyArray<unknown>, 1)
    assert.include(cut.stderr, "note: 1 finding shown (more match: raise --limit or use --out)")
    const whole = await adalqarauIn(env, ["findings", "--json", "--limit", "100000"])
    assert.isAbove((JSON.parse(whole.stdout) as ReadonlyArray<unknown>).length, 1)
    assert.notInclude(whole.stderr, "more match")
  }, 120_000)

  it("analyze of a missing folder fails with one clear line", async () => {
    const missing = join(root, "no-such-folder")
    const run = await adalqarau("analyze", missing)
    assert.strictEqual(run.code, 1)
    assert.strictEqual(run.stderr.trim(), `adalqarau: cannot read folder ${missing}: does not exist`)
    assert.strictEqual(run.stdout, "")
  })

  it("analyze of a folder with bad lines exits 0 and reports each with file:line, field and reason", async () => {
    const dir = join(root, "bad-lines")
    await mkdir(dir)
    const lines = [
      contractLine(1),
      "{not json",
      contractLine(2, { customer_bin: "123456789012" }),
      contractLine(3, { sign_date: "2023-02-30" }),
      ...Array.from({ length: 22 }, (_, i) => contractLine(10 + i, { contract_sum_wnds: -1 }))
    ]
    await writeFile(join(dir, "contracts.jsonl"), `${lines.join("\n")}\n`)
    const rejectsPath = join(root, "rejects.jsonl")
    const run = await adalqarau("analyze", dir, "--json", "--rejects", rejectsPath)
    assert.strictEqual(run.code, 0, run.stderr)
    const file = join(dir, "contracts.jsonl")
    const stderr = run.stderr.split("\n")
    assert.include(stderr[0], `${file}:2: contract field (json) = "{not json": invalid JSON: `)
    assert.include(stderr[1], `${file}:3: contract 2 field customer_bin = "123456789012": `)
    assert.include(stderr[2], `${file}:4: contract 3 field sign_date = "2023-02-30": `)
    assert.include(stderr[2], "is not a real calendar date")
    assert.include(stderr[3], `${file}:5: contract 10 field contract_sum_wnds = -1: `)
    assert.strictEqual(stderr.filter((l) => l.startsWith("rejected ")).length, 20)
    assert.include(run.stderr, `… and 5 more rejected records (all 25 are in ${rejectsPath})`)
    noStackTrace(run.stderr)

    const summary = JSON.parse(run.stdout) as { input: { total: { read: number; accepted: number; rejected: number } } }
    assert.deepStrictEqual(summary.input.total, { read: 26, accepted: 1, rejected: 25 })
    const rejects = await jsonLines(rejectsPath)
    assert.strictEqual(rejects.length, 25)
    assert.deepStrictEqual(
      { source: rejects[1]!.source, line: rejects[1]!.line, field: rejects[1]!.field, recordId: rejects[1]!.recordId },
      { source: file, line: 3, field: "customer_bin", recordId: "2" }
    )
  })

  it("analyze and import name the files they do not read, and what a near miss meant", async () => {
    const dir = join(root, "misnamed")
    await mkdir(dir)
    const customer = completeBin("00074000130") as string
    await writeFile(join(dir, "subjects.jsonl"), `${JSON.stringify({ bin: customer, name_ru: "Акимат" })}\n`)
    for (const name of [
      "contract.jsonl",
      "Contract_Units.jsonl",
      "treasury_payments.json",
      "acts.jsonl",
      ".DS_Store"
    ]) {
      await writeFile(join(dir, name), '{"id": 1}\n')
    }
    const note =
      "note: not read: acts.jsonl, Contract_Units.jsonl (did you mean contract_units.jsonl?), " +
      "contract.jsonl (did you mean contracts.jsonl?), treasury_payments.json (did you mean treasury_payments.jsonl?); " +
      "only contracts.jsonl, contract_units.jsonl, lots.jsonl, treasury_payments.jsonl, subjects.jsonl and refs.jsonl are read"
    const unreadFiles = [
      { name: "acts.jsonl" },
      { name: "Contract_Units.jsonl", didYouMean: "contract_units.jsonl" },
      { name: "contract.jsonl", didYouMean: "contracts.jsonl" },
      { name: "treasury_payments.json", didYouMean: "treasury_payments.jsonl" }
    ]
    const { DATABASE_URL: _ignored, ...env } = process.env
    const [text, json, imported] = await Promise.all([
      adalqarau("analyze", dir),
      adalqarau("analyze", dir, "--json"),
      adalqarauIn({ ...env, ADALQARAU_DATA_DIR: join(root, "misnamed-data") }, ["import", dir, "--json"])
    ])
    assert.strictEqual(text.code, 0, text.stderr)
    assert.strictEqual(text.stderr.split("\n")[0], note)
    assert.strictEqual(json.code, 0, json.stderr)
    assert.include(json.stderr, note)
    assert.deepStrictEqual((JSON.parse(json.stdout) as { unreadFiles: unknown }).unreadFiles, unreadFiles)
    assert.strictEqual(imported.code, 0, imported.stderr)
    assert.strictEqual(imported.stderr.split("\n")[0], note)
    assert.deepStrictEqual((JSON.parse(imported.stdout) as { unreadFiles: unknown }).unreadFiles, unreadFiles)
  }, 120_000)

  it("import prints its first 20 rejections as analyze does, --rejects keeps them all, rejects reads them later", async () => {
    const dir = join(root, "import-rejects")
    await mkdir(dir)
    const lines = [
      contractLine(1),
      "{not json",
      contractLine(2, { customer_bin: "123456789012" }),
      ...Array.from({ length: 23 }, (_, i) => contractLine(10 + i, { contract_sum_wnds: -1 }))
    ]
    const file = join(dir, "contracts.jsonl")
    await writeFile(file, `${lines.join("\n")}\n`)
    const { DATABASE_URL: _ignored, ...env } = process.env
    const dbEnv = { ...env, ADALQARAU_DATA_DIR: join(root, "import-rejects-data") }
    const inDb = (...args: ReadonlyArray<string>) => adalqarauIn(dbEnv, args)

    // An output over an input is refused before the database is opened.
    const refused = await inDb("import", dir, "--rejects", file)
    assert.strictEqual(refused.code, EXIT_USAGE, refused.stderr)
    assert.strictEqual(refused.stderr, `adalqarau: --rejects ${file} would overwrite the input file ${file}\n`)
    assert.isFalse(await exists(join(root, "import-rejects-data")))

    const importRejects = join(root, "import-rejects.jsonl")
    const analyzeRejects = join(root, "import-rejects-analyze.jsonl")
    const [imported, analyzed] = await Promise.all([
      inDb("import", dir, "--rejects", importRejects),
      adalqarau("analyze", dir, "--rejects", analyzeRejects)
    ])
    assert.strictEqual(imported.code, 0, imported.stderr)
    assert.strictEqual(analyzed.code, 0, analyzed.stderr)
    const printed = (run: Run) => run.stderr.split("\n").filter((l) => l.startsWith("rejected "))
    assert.deepStrictEqual(printed(imported), printed(analyzed))
    assert.strictEqual(printed(imported).length, 20)
    assert.include(imported.stderr, `rejected ${file}:2: contract field (json) = "{not json": invalid JSON: `)
    assert.include(imported.stderr, `… and 5 more rejected records (all 25 are in ${importRejects})`)
    assert.include(imported.stdout, "25 rejected records are kept with their reasons: adalqarau rejects --import ")
    // The counts per kind, every kind named (0 when the folder has none of it), as analyze lists its input.
    const out = imported.stdout.split("\n")
    assert.match(out[0]!, /: 26 records in 1 batch, /u)
    assert.deepStrictEqual(out.slice(1, 12), [
      "kind      read  inserted  updated  unchanged  rejected",
      "--------  ----  --------  -------  ---------  --------",
      "subject      0         0        0          0         0",
      "ref          0         0        0          0         0",
      "lot          0         0        0          0         0",
      "contract    26         1        0          0        25",
      "unit         0         0        0          0         0",
      "payment      0         0        0          0         0",
      "--------  ----  --------  -------  ---------  --------",
      "total       26         1        0          0        25",
      "read = inserted + updated + unchanged + rejected: holds for every kind"
    ])
    assert.deepStrictEqual(await jsonLines(importRejects), await jsonLines(analyzeRejects))

    // One process at a time holds the embedded database: one after the other.
    const shown = await inDb("rejects", "--limit", "3")
    const json = await inDb("rejects", "--json", "--import", "1", "--limit", "30")
    const exported = await inDb("rejects", "--out", join(root, "import-rejects-later.jsonl"))
    const missing = await inDb("rejects", "--import", "99")
    assert.strictEqual(shown.code, 0, shown.stderr)
    const shownLines = shown.stdout.split("\n")
    assert.strictEqual(shownLines.length, 5)
    assert.isTrue(shownLines[0]!.startsWith(`${file}:2: contract field (json) = "{not json": invalid JSON: `))
    assert.isTrue(shownLines[1]!.startsWith(`${file}:3: contract 2 field customer_bin = "123456789012": `))
    assert.isTrue(shownLines[2]!.startsWith(`${file}:4: contract 10 field contract_sum_wnds = -1: `))
    assert.strictEqual(
      shownLines[3],
      `3 of 25 rejected records of import 1 (${dir}) shown (more: raise --limit or use --out FILE)`
    )
    assert.strictEqual(json.code, 0, json.stderr)
    const listed = JSON.parse(json.stdout) as { importId: number; rejected: number; rejections: Array<unknown> }
    assert.deepStrictEqual(listed.rejections, await jsonLines(analyzeRejects))
    assert.strictEqual(exported.code, 0, exported.stderr)
    assert.deepStrictEqual(await jsonLines(join(root, "import-rejects-later.jsonl")), await jsonLines(analyzeRejects))
    assert.strictEqual(missing.code, EXIT_FAILURE)
    assert.match(missing.stderr, /^adalqarau: no import 99 in embedded PGlite in /u)
  }, 180_000)

  it("imports lists past imports page by page; prune-rejections deletes older ones' rejections, which rejects then says", async () => {
    const dir = join(root, "imports-history")
    await mkdir(dir)
    await writeFile(
      join(dir, "contracts.jsonl"),
      `${[contractLine(1), "{not json", contractLine(2, { contract_sum_wnds: -1 })].join("\n")}\n`
    )
    const { DATABASE_URL: _ignored, ...env } = process.env
    const data = join(root, "imports-history-data")
    const inDb = (...args: ReadonlyArray<string>) => adalqarauIn({ ...env, ADALQARAU_DATA_DIR: data }, args)
    const ok = (run: Run): Run => {
      assert.strictEqual(run.code, 0, run.stderr)
      return run
    }
    const time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+05:00"

    // Refused before the database is opened.
    const zero = await inDb("imports", "prune-rejections", "--before", "0")
    assert.strictEqual(zero.code, EXIT_USAGE)
    assert.strictEqual(zero.stderr, "adalqarau: --before must be an import number, at least 1\n")
    assert.strictEqual((await inDb("imports", "--limit", "0")).code, EXIT_USAGE)
    assert.isFalse(await exists(data))

    assert.match(ok(await inDb("imports")).stdout, /^No import in embedded PGlite in .* yet\n$/u)
    for (let i = 0; i < 3; i++) ok(await inDb("import", dir, "--no-refresh"))

    const listed = ok(await inDb("imports")).stdout.split("\n")
    assert.match(
      listed[0]!,
      /^import +source +started +finished +batches +read +inserted +updated +unchanged +rejected +rejections$/u
    )
    for (const [line, id, inserted, unchanged] of [
      [listed[2]!, 3, 0, 1],
      [listed[3]!, 2, 0, 1],
      [listed[4]!, 1, 1, 0]
    ] as const) {
      const pattern = `^ +${id}  ${escapeRegExp(dir)}  ${time}  ${time} +1 +3 +${inserted} +0 +${unchanged} +2  kept$`
      assert.match(line, new RegExp(pattern, "u"))
    }
    assert.strictEqual(listed[5], "3 imports shown")

    const page = ok(await inDb("imports", "--limit", "2")).stdout.split("\n")
    assert.strictEqual(page[4], "2 imports shown; older ones: adalqarau imports --before 2")
    const older = JSON.parse(ok(await inDb("imports", "--before", "2", "--json")).stdout) as {
      imports: Array<Record<string, unknown>>
      next: number | null
    }
    assert.strictEqual(older.next, null)
    assert.deepStrictEqual(
      older.imports.map(({ startedAt: _s, finishedAt: _f, ...rest }) => rest),
      [
        {
          importId: 1,
          source: dir,
          batches: 1,
          read: 3,
          inserted: 1,
          updated: 0,
          unchanged: 0,
          rejected: 2,
          rejections: "kept",
          rejectionsPrunedAt: null
        }
      ]
    )
    assert.match(String(older.imports[0]?.startedAt), new RegExp(`^${time}$`, "u"))

    const missing = await inDb("imports", "prune-rejections", "--before", "4")
    assert.strictEqual(missing.code, EXIT_FAILURE)
    assert.match(
      missing.stderr,
      /^adalqarau: no import 4 in embedded PGlite in .* \(the latest is import 3; adalqarau imports lists them\): --before must name an existing import\n$/u
    )

    const pruned = ok(await inDb("imports", "prune-rejections", "--before", "3"))
    assert.strictEqual(
      pruned.stdout,
      "Deleted 4 rejected records of 2 imports older than import 3; their counts are kept (adalqarau imports)\n"
    )
    const again = JSON.parse(ok(await inDb("imports", "prune-rejections", "--before", "3", "--json")).stdout) as unknown
    assert.deepStrictEqual(again, { before: 3, imports: 0, records: 0, prunedAt: null })

    const after = ok(await inDb("imports")).stdout.split("\n")
    assert.match(after[2]!, / +2 {2}kept$/u)
    assert.match(after[3]!, new RegExp(` +2  pruned ${time}$`, "u"))
    assert.match(after[4]!, new RegExp(` +2  pruned ${time}$`, "u"))
    const prunedAt = / pruned (\S+)$/u.exec(after[4]!)?.[1]

    // Not "no rejected records": they were pruned, and when; no empty file stands in for them.
    const out = join(root, "imports-history-rejects.jsonl")
    for (const args of [
      ["--import", "1"],
      ["--import", "2", "--json"],
      ["--import", "1", "--out", out]
    ]) {
      const gone = await inDb("rejects", ...args)
      assert.strictEqual(gone.code, EXIT_FAILURE, args.join(" "))
      assert.strictEqual(gone.stdout, "")
      assert.strictEqual(
        gone.stderr,
        `adalqarau: the 2 rejected records of import ${args[1]} (${dir}) were pruned at ${prunedAt} ` +
          "(adalqarau imports prune-rejections); only its counts are kept: adalqarau imports\n"
      )
    }
    assert.isFalse(await exists(out))
    assert.match(ok(await inDb("rejects")).stdout, /\n2 of 2 rejected records of import 3 /u)
  }, 240_000)

  it("analyze refuses an output that is an input, or the other output, with code 2, before writing", async () => {
    const dir = join(root, "guarded-bin")
    await mkdir(dir)
    const contracts = join(dir, "contracts.jsonl")
    // A bad line, so that a run that went ahead would write to --rejects.
    const text = '{"id": 1}\n{not json\n'
    await writeFile(contracts, text)
    const shared = join(root, "guarded-shared.jsonl")
    const [overInput, overOther] = await Promise.all([
      adalqarau("analyze", dir, "--rejects", contracts),
      adalqarau("analyze", dir, "--out", shared, "--rejects", shared)
    ])
    assert.strictEqual(overInput.code, EXIT_USAGE, overInput.stderr)
    assert.strictEqual(overInput.stdout, "")
    assert.strictEqual(
      overInput.stderr,
      `adalqarau: --rejects ${contracts} would overwrite the input file ${contracts}\n`
    )
    assert.strictEqual(await readFile(contracts, "utf8"), text)
    assert.strictEqual(overOther.code, EXIT_USAGE, overOther.stderr)
    assert.strictEqual(overOther.stdout, "")
    assert.include(overOther.stderr, `--out ${shared} and --rejects ${shared} are the same file`)
    assert.isFalse(await exists(shared))
  })

  it("analyze of a folder it cannot read leaves no rejects file behind", async () => {
    const missing = join(root, "no-such-folder")
    const rejects = join(root, "never-created", "rejects.jsonl")
    const run = await adalqarau("analyze", missing, "--rejects", rejects)
    assert.strictEqual(run.code, EXIT_FAILURE)
    assert.strictEqual(run.stderr.trim(), `adalqarau: cannot read folder ${missing}: does not exist`)
    assert.isFalse(await exists(join(root, "never-created")))
  })

  it("an output path through a file says which part of it is not a folder", async () => {
    const dir = join(root, "through-a-file")
    await mkdir(dir)
    await writeFile(join(dir, "contracts.jsonl"), "{not json\n")
    const file = join(root, "a-file")
    await writeFile(file, "")
    const [direct, deeper] = await Promise.all([
      adalqarau("analyze", dir, "--out", join(file, "findings.csv")),
      adalqarau("analyze", dir, "--out", join(file, "sub", "findings.csv"))
    ])
    assert.strictEqual(direct.code, EXIT_FAILURE)
    assert.strictEqual(
      direct.stderr.split("\n").at(-2),
      `adalqarau: cannot write ${join(file, "findings.csv")}: a part of the path is not a folder: ${file}`
    )
    assert.strictEqual(deeper.code, EXIT_FAILURE)
    assert.include(
      deeper.stderr,
      `cannot write ${join(file, "sub", "findings.csv")}: a part of the path is not a folder`
    )
  })

  it("import --json prints only JSON on stdout; its logs, at info level, go to stderr", async () => {
    const dir = join(root, "import-dataset")
    const generated = await adalqarau("generate", "--contracts", "60", "--seed", "5", "--out", dir, "--json")
    assert.strictEqual(generated.code, 0, generated.stderr)
    // A fresh embedded database: its first load is a bulk load, which logs its steps at info level.
    const { DATABASE_URL: _ignored, ...env } = process.env
    const run = await adalqarauIn({ ...env, ADALQARAU_DATA_DIR: join(root, "import-data") }, ["import", dir, "--json"])
    assert.strictEqual(run.code, 0, run.stderr)
    const report = JSON.parse(run.stdout) as {
      import: { total: BatchCounts; byKind: Record<string, BatchCounts>; balanced: boolean }
    }
    assert.isAbove(report.import.total.read, 60)
    assert.deepStrictEqual(Object.keys(report.import.byKind), ["subject", "ref", "lot", "contract", "unit", "payment"])
    for (const column of ["read", "inserted", "updated", "unchanged", "rejected"] as const) {
      const kinds = Object.values(report.import.byKind).reduce((n, c) => n + c[column], 0)
      assert.strictEqual(kinds, report.import.total[column], column)
    }
    assert.isAbove(report.import.byKind.contract?.inserted ?? 0, 59)
    assert.isTrue(report.import.balanced)
    assert.match(run.stderr, /^\[[\d:.]+\] INFO \(#\d+\): bulk load of /mu)
  }, 120_000)
})

describe("adalqarau analyze, in process", () => {
  const failure = async (options: AnalyzeOptions): Promise<CliFailure> => {
    const exit = await Effect.runPromiseExit(runAnalyze(options))
    if (Exit.isSuccess(exit)) throw new Error("expected a failure")
    const error = Cause.squash(exit.cause)
    if (!(error instanceof CliFailure)) throw error
    return error
  }
  const missingDir = () => join(root, "no-such-folder")

  it("refuses params that are not JSON, missing, or name an unknown indicator (exit code 2)", async () => {
    const notJson = join(root, "not-json.json")
    await writeFile(notJson, "{ threshold: 3")
    const e1 = await failure({ dir: missingDir(), params: notJson, json: true })
    assert.strictEqual(e1.exitCode, EXIT_USAGE)
    assert.match(e1.message, new RegExp(`^params file ${escapeRegExp(notJson)} is not valid JSON: `, "u"))

    const missing = join(root, "missing.json")
    const e2 = await failure({ dir: missingDir(), params: missing, json: true })
    assert.strictEqual(e2.exitCode, EXIT_USAGE)
    assert.strictEqual(e2.message, `cannot read params file ${missing}: does not exist`)

    const unknown = join(root, "unknown-params.json")
    await writeFile(unknown, JSON.stringify({ indicators: { "no-such-indicator": {} } }))
    const e3 = await failure({ dir: missingDir(), params: unknown, json: true })
    assert.strictEqual(e3.exitCode, EXIT_USAGE)
    assert.include(e3.message, "indicators.no-such-indicator: unknown indicator; known: super-dumping")
  })

  it("refuses an unknown findings format before reading (exit code 2)", async () => {
    const e = await failure({ dir: missingDir(), out: join(root, "findings.xlsx"), json: true })
    assert.strictEqual(e.exitCode, EXIT_USAGE)
    assert.include(e.message, "unknown extension .xlsx")
  })

  it("refuses outputs that are its inputs — through links too — or each other (exit code 2), writing nothing", async () => {
    const dir = join(root, "guarded")
    await mkdir(dir)
    const contracts = join(dir, "contracts.jsonl")
    const lots = join(dir, "lots.jsonl")
    const subjects = join(dir, "subjects.jsonl")
    const inputs = { [contracts]: '{"id": 1}\n{not json\n', [lots]: "{not json\n", [subjects]: "{not json\n" }
    for (const [path, text] of Object.entries(inputs)) await writeFile(path, text)
    const symlinked = join(root, "guarded-symlink.jsonl")
    await symlink(lots, symlinked)
    const hardLinked = join(root, "guarded-hardlink.jsonl")
    await link(subjects, hardLinked)
    const dangling = join(root, "guarded-dangling.jsonl")
    const absentKindFile = join(dir, "refs.jsonl")
    await symlink(absentKindFile, dangling)
    const params = join(root, "guarded-params.json")
    await writeFile(params, "{}")
    const shared = join(root, "guarded-shared-in-process.jsonl")

    const cases: ReadonlyArray<readonly [Omit<AnalyzeOptions, "dir" | "json">, string]> = [
      [{ out: contracts }, `--out ${contracts} would overwrite the input file ${contracts}`],
      [{ out: join(dir, "..", "guarded", "contracts.jsonl") }, `would overwrite the input file ${contracts}`],
      [{ out: symlinked }, `--out ${symlinked} would overwrite the input file ${lots}`],
      [{ rejects: hardLinked }, `--rejects ${hardLinked} would overwrite the input file ${subjects}`],
      [{ out: absentKindFile }, `--out ${absentKindFile} would overwrite the input file ${absentKindFile}`],
      [{ rejects: dangling }, `--rejects ${dangling} would overwrite the input file ${absentKindFile}`],
      [{ rejects: dir }, `--rejects ${dir} would overwrite the input folder ${dir}`],
      [{ params, out: params }, `--out ${params} would overwrite the params file ${params}`],
      [{ out: shared, rejects: shared }, `--out ${shared} and --rejects ${shared} are the same file`]
    ]
    for (const [options, message] of cases) {
      const e = await failure({ dir, json: true, ...options })
      assert.strictEqual(e.exitCode, EXIT_USAGE, e.message)
      assert.include(e.message, message)
    }
    for (const [path, text] of Object.entries(inputs)) assert.strictEqual(await readFile(path, "utf8"), text, path)
    assert.isFalse(await exists(shared))
    assert.isFalse(await exists(absentKindFile))
  })

  it("fails with exit code 1 on a missing folder", async () => {
    const e = await failure({ dir: missingDir(), json: true })
    assert.strictEqual(e.exitCode, EXIT_FAILURE)
    assert.strictEqual(e.message, `cannot read folder ${missingDir()}: does not exist`)
  })
})

describe("import counts", () => {
  const c = (read: number, inserted: number, updated: number, unchanged: number, rejected: number): BatchCounts => ({
    read,
    inserted,
    updated,
    unchanged,
    rejected
  })

  it("hold when every kind adds up and the kinds make the total", () => {
    const report = { total: c(5, 2, 1, 1, 1), byKind: { subject: c(2, 1, 0, 1, 0), contract: c(3, 1, 1, 0, 1) } }
    assert.isTrue(importBalanced(report))
    assert.isTrue(
      renderImportCounts(report).endsWith("\nread = inserted + updated + unchanged + rejected: holds for every kind")
    )
  })

  it("do not hold when a kind does not add up, or the kinds miss a record of the total", () => {
    const unbalanced = { total: c(5, 2, 1, 1, 1), byKind: { subject: c(2, 1, 0, 0, 0), contract: c(3, 1, 1, 1, 0) } }
    const short = { total: c(6, 3, 1, 1, 1), byKind: { subject: c(2, 1, 0, 1, 0), contract: c(3, 1, 1, 0, 1) } }
    for (const report of [unbalanced, short]) {
      assert.isFalse(importBalanced(report))
      assert.include(renderImportCounts(report), "read = inserted + updated + unchanged + rejected: DOES NOT HOLD")
    }
  })
})

describe("progress", () => {
  const sink = (isTTY: boolean) => {
    const written: Array<string> = []
    return { written, sink: { isTTY, write: (text: string) => void written.push(text) } }
  }

  it("redraws one line in place on a terminal and clears it at the end", async () => {
    const { written, sink: tty } = sink(true)
    let now = 0
    const progress = makeProgress("reading x", tty, () => now)
    now = 1000
    await Effect.runPromise(progress.update(10_000))
    now = 1050 // within 100 ms: not redrawn
    await Effect.runPromise(progress.update(20_000))
    now = 2000
    await Effect.runPromise(progress.update(30_000))
    await Effect.runPromise(progress.print("rejected something"))
    await Effect.runPromise(progress.finish)
    assert.deepStrictEqual(written, [
      "\r\x1b[2Kreading x: 10,000 records, 10,000 records/s, 1.0 s",
      "\r\x1b[2Kreading x: 30,000 records, 15,000 records/s, 2.0 s",
      "\r\x1b[2Krejected something\nreading x: 30,000 records, 15,000 records/s, 2.0 s",
      "\r\x1b[2K"
    ])
  })

  it("writes a plain line per million records elsewhere", async () => {
    const { written, sink: pipe } = sink(false)
    let now = 0
    const progress = makeProgress("reading x", pipe, () => now)
    assert.strictEqual(progress.every, 1_000_000)
    now = 4000
    await Effect.runPromise(progress.update(1_000_000))
    await Effect.runPromise(progress.finish)
    assert.deepStrictEqual(written, ["reading x: 1,000,000 records, 250,000 records/s, 4.0 s\n"])
  })
})

describe("withStderrReporting", () => {
  it("logs and reports a defect on stderr, never on stdout; a CliFailure is left to its one line", async () => {
    const { out, err } = await Effect.gen(function* () {
      yield* withStderrReporting(Effect.logInfo("a step took 1 s"))
      yield* Effect.exit(withStderrReporting(Effect.die(new Error("boom"))))
      yield* Effect.exit(withStderrReporting(Effect.fail(usageFailure("bad flag"))))
      return { out: yield* TestConsole.logLines, err: yield* TestConsole.errorLines }
    }).pipe(Effect.provide(TestConsole.layer), Effect.runPromise)
    assert.deepStrictEqual(out, [])
    const text = err.map((line) => (Array.isArray(line) ? line.map(String).join(" ") : String(line))).join("\n")
    assert.include(text, "a step took 1 s")
    assert.include(text, "Error: boom")
    assert.notInclude(text, "bad flag")
  })
})
