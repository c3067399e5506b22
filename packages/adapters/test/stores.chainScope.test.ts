/**
 * A chain whose versions have customers in different regions: a caller sees the chain's versions of its own
 * regions only, in memory and in SQL alike. Amendments are contracts of their own customer, and the chain of an
 * in-region root must not carry another region's amendment (its sums and description) to the caller.
 */
import { type ContractId, ContractStore, decodeRecord, type ProcurementRecord, type RegionCode } from "@adalqarau/core"
import { layerMemoryContractStore } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { layerStorage } from "../src/postgres/Database.ts"
import { backends } from "./support/databases.ts"
import { C1, C2, contract, subject } from "./support/edgeCases.ts"

const records: ReadonlyArray<ProcurementRecord> = [
  subject(C1, "711000000"),
  subject(C2, "751000000"),
  contract({ id: 1, customer: C1 }),
  contract({ id: 2, parent: 1, root: 1, customer: C2, sign: "2023-06-01 10:00:00" }),
  contract({ id: 3, parent: 2, root: 1, customer: C1, sign: "2023-07-01 10:00:00" })
].map(({ kind, raw }) => {
  const decoded = decodeRecord(kind, raw)
  if (!decoded.ok) throw new Error(decoded.rejection.text)
  return decoded.value
})

const chainIds = (id: number, regions?: ReadonlyArray<RegionCode>) =>
  Effect.gen(function* () {
    const chain = yield* (yield* ContractStore).getChain(id as ContractId, regions)
    return Option.map(chain, (c): ReadonlyArray<number> => c.versions.map((v) => v.id))
  })

const answers = Effect.gen(function* () {
  yield* (yield* ContractStore).upsert(records)
  return {
    all: yield* chainIds(3),
    astana: yield* chainIds(3, ["71"]),
    almaty: yield* chainIds(2, ["75"]),
    rootFromAlmaty: yield* chainIds(1, ["75"]),
    both: yield* chainIds(1, ["71", "75"])
  }
})

describe("a chain across regions", () => {
  for (const backend of backends()) {
    it.effect(`holds only the caller's regions' versions, in memory as in SQL (${backend.name})`, () =>
      Effect.gen(function* () {
        const sql = yield* answers.pipe(Effect.provide(layerStorage(backend.layer())))
        const memory = yield* answers.pipe(Effect.provide(layerMemoryContractStore))
        assert.deepStrictEqual(memory, sql)
        assert.deepStrictEqual(sql, {
          all: Option.some([1, 2, 3]),
          astana: Option.some([1, 3]),
          almaty: Option.some([2]),
          rootFromAlmaty: Option.none(),
          both: Option.some([1, 2, 3])
        })
      })
    )
  }
})
