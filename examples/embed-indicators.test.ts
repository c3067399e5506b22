import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { run } from "./embed-indicators.ts"

describe("examples/embed-indicators", () => {
  it.effect("flags super-dumping (35% < plan), sum growth (+36.9%) and accelerated payment (2 days)", () =>
    Effect.gen(function* () {
      const { findings, lines } = yield* run
      assert.deepStrictEqual(
        findings.map((f) => f.key),
        ["accelerated-payment:9001", "sum-growth:9001", "super-dumping:9001"]
      )
      const dumping = findings.find((f) => f.indicator === "super-dumping")
      assert.strictEqual(dumping?.measures.reduction_pct, "35.0000")
      assert.strictEqual(dumping?.thresholds.threshold_pct, "25")
      assert.strictEqual(dumping?.region, "75")
      assert.isTrue(lines[0]?.startsWith("rejected: contract 9003 field crdate"))
    })
  )

  it("runs as a script", () => {
    const script = fileURLToPath(new URL("./embed-indicators.ts", import.meta.url))
    const out = execFileSync(process.execPath, [script], { encoding: "utf8" })
    assert.include(out, "super-dumping super-dumping:9001 region=75")
  })
})
