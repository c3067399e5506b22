import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { FindingStore } from "../src/index.ts"
import { layerMemoryFindingStore } from "../src/testing/index.ts"
import { rec, runOne } from "./fixtures.ts"

describe("measures and thresholds in the order the SQL stores give them back (jsonb: shorter keys first)", () => {
  it("the engine lists them so, whatever order an indicator wrote them in", () => {
    const result = runOne("accelerated-payment", [
      rec.contract({ id: 1, crdate: "2023-05-10 10:00:00" }),
      rec.payment(1, 1, "2023-05-11 10:00:00")
    ])
    const finding = result.findings[0]
    assert.deepStrictEqual(Object.keys(finding?.measures ?? {}), ["days", "first_payment", "contract_created"])
  })

  it.effect("the in-memory store keeps a caller's finding so, by UTF-8 length then bytes", () =>
    Effect.gen(function* () {
      const store = yield* FindingStore
      const finding = runOne("accelerated-payment", [
        rec.contract({ id: 1, crdate: "2023-05-10 10:00:00" }),
        rec.payment(1, 1, "2023-05-11 10:00:00")
      ]).findings[0]
      if (finding === undefined) return assert.fail("no finding")
      // "ж" is two bytes in UTF-8: after the one-byte "b", before the three-byte "abc".
      yield* store.replace([finding.indicator], [{ ...finding, measures: { abc: "1", ж: "2", b: "3", a: "4" } }])
      const stored = (yield* store.query({ limit: 10 })).findings[0]
      assert.deepStrictEqual(Object.keys(stored?.measures ?? {}), ["a", "b", "ж", "abc"])
    }).pipe(Effect.provide(layerMemoryFindingStore))
  )
})
