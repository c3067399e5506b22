import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const coreDir = fileURLToPath(new URL("..", import.meta.url))

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

describe("core stays pure", () => {
  it("depends on effect alone", () => {
    const pkg = JSON.parse(readFileSync(join(coreDir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>
      peerDependencies?: Record<string, string>
    }
    assert.deepStrictEqual(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }), ["effect"])
  })

  it("imports nothing but effect and its own modules", () => {
    const offenders: Array<string> = []
    const importFrom = /(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gu
    for (const file of sourceFiles(join(coreDir, "src"))) {
      const text = readFileSync(file, "utf8")
      for (const match of text.matchAll(importFrom)) {
        const specifier = match[1] ?? match[2] ?? ""
        if (specifier.startsWith(".") || specifier === "effect" || specifier.startsWith("effect/")) continue
        offenders.push(`${file}: ${specifier}`)
      }
    }
    assert.deepStrictEqual(offenders, [])
  })
})
