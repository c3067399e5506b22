import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { analyzeRecords, IndicatorRegistry } from "../src/index.ts"

describe("registry", () => {
  it.effect("lists the five standard indicators", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(
        IndicatorRegistry.standard.indicators.map((i) => i.code),
        ["super-dumping", "minimal-dumping", "accelerated-payment", "sum-growth", "partnership"]
      )
      const result = yield* analyzeRecords([])
      assert.strictEqual(result.findings.length, 0)
    })
  )
})
