import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, assert, describe, it } from "@effect/vitest"

/**
 * native/build.mjs, run on a copy of the native folder so that the workspace's own build is left alone. An addon
 * that a failed build leaves in place is an older source's: loaded beside the current TypeScript scanner, its
 * verdicts need not be the same.
 */
const native = fileURLToPath(new URL("../native/", import.meta.url))
let dir = ""

afterEach(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
  dir = ""
})

/** A copy of the native folder holding an earlier build; runs the build script there. */
const buildOver = (env: Record<string, string>) => {
  dir = mkdtempSync(join(tmpdir(), "adalqarau-native-build-"))
  for (const file of ["build.mjs", "lineScanner.cc"]) copyFileSync(join(native, file), join(dir, file))
  mkdirSync(join(dir, "build"))
  const target = join(dir, "build", "lineScanner.node")
  writeFileSync(target, "an addon built from an earlier lineScanner.cc")
  const { ADALQARAU_NATIVE_SCANNER: _, ...inherited } = process.env
  const result = spawnSync(process.execPath, [join(dir, "build.mjs")], {
    encoding: "utf8",
    env: { ...inherited, ...env }
  })
  return { result, target }
}

describe("native/build.mjs", () => {
  it("removes an earlier build when this one fails, as its warning says the TypeScript scanner is used", () => {
    const { result, target } = buildOver({ CXX: "false" })
    assert.strictEqual(result.status, 0, result.stderr)
    assert.include(result.stderr, "native line scanner not built: false exited with 1")
    assert.isFalse(existsSync(target))
  })

  it("removes it when no compiler runs, or when the build is turned off", () => {
    for (const env of [{ CXX: join(tmpdir(), "no-such-compiler") }, { ADALQARAU_NATIVE_SCANNER: "0" }]) {
      const { result, target } = buildOver(env)
      assert.strictEqual(result.status, 0, result.stderr)
      assert.include(result.stderr, "native line scanner not built")
      assert.isFalse(existsSync(target), JSON.stringify(env))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
