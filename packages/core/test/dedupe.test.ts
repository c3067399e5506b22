import { assert, describe, it } from "@effect/vitest"
import { rec, run } from "./fixtures.ts"

const flagged = (records: Parameters<typeof run>[0], code: string) =>
  run(records, { only: [code] }).findings.map((f) => f.key)

describe("records are kept by their key, as a store keeps them", () => {
  it("a re-exported unit whose lot changed replaces the old unit in P", () => {
    // Unit 1 first points at lot 10 (P = 1000: 50 % reduction), then is corrected to lot 11 (P = 600: 16.7 %).
    const records = [
      rec.contract({ id: 1, sum: 500 }),
      rec.lot(10, 1000),
      rec.lot(11, 600),
      rec.unit(1, 1, 10),
      rec.unit(1, 1, 11)
    ]
    assert.deepStrictEqual(flagged(records, "super-dumping"), [])
    assert.deepStrictEqual(flagged(records.slice(0, 4), "super-dumping"), ["super-dumping:1"])
  })

  it("a payment whose date was corrected counts at its new date only", () => {
    const early = [rec.contract({ id: 1, crdate: "2023-05-10 10:00:00" }), rec.payment(7, 1, "2023-05-11")]
    assert.deepStrictEqual(flagged(early, "accelerated-payment"), ["accelerated-payment:1"])
    const corrected = [...early, rec.payment(7, 1, "2023-06-30")]
    assert.deepStrictEqual(flagged(corrected, "accelerated-payment"), [])
  })
})
