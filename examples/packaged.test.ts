/**
 * The packages as another team installs them: `pnpm pack` of core, adapters and server (each `prepack` builds
 * `dist/`), the tarballs unpacked into a fresh project's node_modules beside the third-party packages they depend
 * on, then the published CLI and `examples/packaged/consumer.ts` run there with plain Node, and the consumer
 * type-checked with `tsc` against the shipped declarations. Node refuses to strip types under node_modules, so
 * any module, worker or file still reached as TypeScript fails here.
 */
import { spawnSync } from "node:child_process"
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"

const root = fileURLToPath(new URL("../", import.meta.url))
const PACKAGES = ["core", "adapters", "server"] as const
/** What the packages import from outside the workspace, linked from the workspace's own installs. */
const THIRD_PARTY: ReadonlyArray<readonly [string, string]> = [
  ["effect", "packages/core"],
  ["@effect/platform-node", "packages/adapters"],
  ["@effect/sql-pg", "packages/adapters"],
  ["@electric-sql/pglite", "packages/adapters"],
  ["jose", "packages/server"],
  ["@types/node", "."]
]

let project = ""

/** Runs a command; a failure carries what it printed (tsc reports on stdout). */
const run = (file: string, args: ReadonlyArray<string>, cwd = project): string => {
  const result = spawnSync(file, args, { cwd, encoding: "utf8" })
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(" ")} exited ${result.status}:\n${result.stdout}${result.stderr}`)
  }
  return result.stdout
}

const node = (args: ReadonlyArray<string>) => run(process.execPath, args)

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "adalqarau-packaged-"))
  const tarballs = join(project, "tarballs")
  mkdirSync(tarballs)
  for (const name of PACKAGES) {
    run("pnpm", ["pack", "--pack-destination", tarballs], join(root, "packages", name))
    const tarball = readdirSync(tarballs).find((file) => file.startsWith(`adalqarau-${name}-`))
    assert.isDefined(tarball, `pnpm pack wrote no tarball for ${name}`)
    const target = join(project, "node_modules", "@adalqarau", name)
    mkdirSync(target, { recursive: true })
    run("tar", ["xzf", join(tarballs, tarball as string), "-C", target, "--strip-components=1"])
  }
  for (const [name, from] of THIRD_PARTY) {
    const link = join(project, "node_modules", name)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(realpathSync(join(root, from, "node_modules", name)), link)
  }
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
  copyFileSync(join(root, "examples/packaged/consumer.ts"), join(project, "consumer.ts"))
  copyFileSync(join(root, "examples/packaged/tsconfig.json"), join(project, "tsconfig.json"))
}, 180_000)

afterAll(() => {
  if (project !== "") rmSync(project, { recursive: true, force: true })
})

describe("the packed packages", () => {
  it("ship compiled modules, declarations and the migrations, and point their exports and bin at them", () => {
    const manifest = (name: string) =>
      JSON.parse(readFileSync(join(project, "node_modules/@adalqarau", name, "package.json"), "utf8")) as {
        readonly exports: Record<string, { readonly types: string; readonly default: string }>
        readonly bin?: Record<string, string>
        readonly dependencies?: Record<string, string>
      }
    for (const name of PACKAGES) {
      for (const [subpath, target] of Object.entries(manifest(name).exports)) {
        assert.match(target.default, /^\.\/dist\/.*\.js$/u, `${name} ${subpath}`)
        assert.match(target.types, /^\.\/dist\/.*\.d\.ts$/u, `${name} ${subpath}`)
      }
    }
    assert.deepStrictEqual(manifest("server").bin, { adalqarau: "./dist/bin/adalqarau.js" })
    assert.strictEqual(manifest("server").dependencies?.["@adalqarau/core"], "0.1.0")
    const shipped = readdirSync(join(project, "node_modules/@adalqarau/adapters/migrations")).sort()
    assert.deepStrictEqual(shipped, readdirSync(join(root, "migrations")).sort())
  })

  it("run the CLI with plain Node: generate, then analyze the folder", () => {
    const cli = join(project, "node_modules/@adalqarau/server/dist/bin/adalqarau.js")
    const generated = JSON.parse(node([cli, "generate", "--contracts", "300", "--out", "data", "--json"])) as {
      readonly records: number
    }
    assert.isAbove(generated.records, 1000)
    const out = node([cli, "analyze", "data", "--out", "findings.csv"])
    const written = /findings: (\d+) written to findings\.csv/u.exec(out)
    assert.isNotNull(written, out)
    const rows = readFileSync(join(project, "findings.csv"), "utf8").trimEnd().split("\n")
    assert.strictEqual(rows.length - 1, Number(written?.[1]))
  })

  it("run no script on install (pnpm refuses such a dependency unless approved); the consumer builds the native line scanner, and analyze then reads the same", () => {
    // pnpm 12 fails `pnpm install` of a project whose dependency has an install script it was not told to allow
    // (ERR_PNPM_IGNORED_BUILDS, exit 1): an optional addon must not cost a consumer its install.
    for (const name of PACKAGES) {
      const manifest = JSON.parse(
        readFileSync(join(project, "node_modules/@adalqarau", name, "package.json"), "utf8")
      ) as {
        readonly scripts?: Record<string, string>
      }
      const onInstall = ["preinstall", "install", "postinstall"].filter(
        (script) => manifest.scripts?.[script] !== undefined
      )
      assert.deepStrictEqual(onInstall, [], name)
    }
    const adapters = join(project, "node_modules/@adalqarau/adapters")
    const probe = `import { nativeScannerAbsence } from "@adalqarau/adapters/files"; console.log(nativeScannerAbsence() ?? "in use")`
    writeFileSync(join(project, "probe.mjs"), probe)
    // The absence names the command that builds it, as the consumer runs it: plain JavaScript under node_modules.
    assert.include(node(["probe.mjs"]), `not built (run node ${join(adapters, "native/build.mjs")}`)
    const built = spawnSync(process.execPath, ["native/build.mjs"], { cwd: adapters, encoding: "utf8" })
    assert.strictEqual(built.status, 0, built.stderr)
    if (built.stderr.includes("not built")) {
      // No C++ compiler here: the TypeScript scanner stays in use. CI machines have one.
      assert.isUndefined(process.env.CI, built.stderr)
      return
    }
    assert.strictEqual(node(["probe.mjs"]).trim(), "in use")
    const before = readFileSync(join(project, "findings.csv"), "utf8")
    const cli = join(project, "node_modules/@adalqarau/server/dist/bin/adalqarau.js")
    node([cli, "analyze", "data", "--out", "findings-native.csv"])
    assert.strictEqual(readFileSync(join(project, "findings-native.csv"), "utf8"), before)
  })

  it("type-check a consumer against the shipped declarations, then run it: memory and PGlite agree", () => {
    const tsc = join(root, "node_modules/.bin/tsc")
    run(tsc, ["-p", "tsconfig.json"])
    // Third-party declarations want the DOM's types (skipLibCheck, as most projects set it); ours are read all the
    // same: the consumer with one wrong type must fail, or the declarations resolved to nothing (any).
    mkdirSync(join(project, "wrong"))
    const consumer = readFileSync(join(project, "consumer.ts"), "utf8")
    const wrong = consumer.replace("const rejection: string =", "const rejection: number =")
    assert.notStrictEqual(wrong, consumer)
    writeFileSync(join(project, "wrong", "consumer.ts"), wrong)
    copyFileSync(join(project, "tsconfig.json"), join(project, "wrong", "tsconfig.json"))
    assert.throws(() => run(tsc, ["-p", "wrong/tsconfig.json"]), /TS2322/u)

    // The library logs its steps (Effect's default logger); the report is the last line.
    const report = JSON.parse(node(["consumer.ts", "data"]).trimEnd().split("\n").at(-1) ?? "") as {
      readonly rejection: string
      readonly emptyFindings: number
      readonly memory: { readonly read: number; readonly rejected: number; readonly findings: number }
      readonly stored: { readonly read: number; readonly rejected: number; readonly findings: number }
    }
    assert.include(report.rejection, "contract 1 field crdate")
    assert.strictEqual(report.emptyFindings, 0)
    assert.isAbove(report.memory.findings, 0)
    assert.strictEqual(report.stored.read, report.memory.read)
    assert.strictEqual(report.stored.rejected, report.memory.rejected)
    assert.strictEqual(report.stored.findings, report.memory.findings)
  })
})
