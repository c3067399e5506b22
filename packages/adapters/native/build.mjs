/**
 * Builds the C++ line scanner (lineScanner.cc) into build/lineScanner.node for the Node running this script, when
 * this host has a C++ compiler and Node's headers: the workspace's `pnpm install` runs it (the root's postinstall),
 * and a project that installs the package runs it itself — the package has no install script, since pnpm fails the
 * install of a project whose dependency has one it was not told to allow. The addon is optional — without it the
 * JSONL fast path reads the same records with the TypeScript scanner — so a host that cannot build it gets a
 * warning, not a failed install. Plain JavaScript: it runs under node_modules, where Node strips no types.
 *
 *   node native/build.mjs [--if-stale]
 *
 * CXX names the compiler (default g++); ADALQARAU_NATIVE_SCANNER=0 skips the build.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const source = join(here, "lineScanner.cc")
const target = join(here, "build", "lineScanner.node")

/**
 * Gives up with a warning. An earlier build goes too: it is an older source's (or this build was turned off), and
 * loaded beside the current TypeScript scanner its verdicts need not be the same, where the warning says that
 * scanner is used.
 * @param {string} why
 */
const warn = (why) => {
  rmSync(target, { force: true })
  console.warn(`native line scanner not built: ${why}; the JSONL fast path uses the TypeScript scanner`)
  process.exit(0)
}

if (process.env.ADALQARAU_NATIVE_SCANNER === "0") warn("ADALQARAU_NATIVE_SCANNER=0")

// With --if-stale, a build newer than its source and this script is kept (Node-API addons do not depend on the
// Node version that loads them).
/** @param {string} path */
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : Number.NaN)
if (
  process.argv.includes("--if-stale") &&
  mtime(target) >= mtime(source) &&
  mtime(target) >= mtime(fileURLToPath(import.meta.url))
) {
  process.exit(0)
}

// Node's own headers: beside the binary in official builds (include/node), or where a distribution puts them.
const headers = [join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node"].find((dir) =>
  existsSync(join(dir, "node_api.h"))
)
if (headers === undefined) warn(`no node_api.h beside ${process.execPath} or in /usr/include/node`)

const compiler = process.env.CXX ?? "g++"
mkdirSync(join(here, "build"), { recursive: true })
// Written under another name and renamed, so that a process loading the addon never sees half a file.
const partial = `${target}.${process.pid}.tmp`
const result = spawnSync(
  compiler,
  [
    "-O2",
    "-std=c++17",
    "-shared",
    "-fPIC",
    // Money is read through double arithmetic that must round as V8's does: no fused multiply-add, no fast math.
    "-ffp-contract=off",
    "-fno-fast-math",
    "-Wall",
    "-Wextra",
    `-I${headers}`,
    // Node-API symbols are the host process's, found when it loads the addon (macOS links them so explicitly).
    ...(process.platform === "darwin" ? ["-undefined", "dynamic_lookup"] : []),
    "-o",
    partial,
    source
  ],
  { encoding: "utf8" }
)
if (result.error !== undefined) {
  rmSync(partial, { force: true })
  warn(`${compiler}: ${result.error.message}`)
}
if (result.status !== 0) {
  rmSync(partial, { force: true })
  warn(`${compiler} exited with ${result.status}:\n${result.stderr.trim()}`)
}
renameSync(partial, target)
