/**
 * End to end over a generated dataset (the seeded generator of @adalqarau/core/testing, with planted cases and
 * ground-truth labels): the server serves every planted finding, keyset paging and the export agree, counts agree
 * with the rows, and a restricted analyst's view is exactly the admin's view of the analyst's region.
 */
import { compareFractions, type Finding, fractionOfDecimal, type RecordKind, type RegionCode } from "@adalqarau/core"
import { type GeneratedItem, generateDataset, isLabel } from "@adalqarau/core/testing"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Redacted, Stream } from "effect"
import { withClient } from "./rpcClient.ts"
import { loginRest, PASSWORD, startTestServer, type TestServer } from "./serverFixtures.ts"

let server: TestServer
const items: Array<GeneratedItem> = [...generateDataset({ contracts: 3000, seed: 20_241_124 })]
const labels = items.filter(isLabel).map((item) => item.label)
const rows: Array<readonly [RecordKind, unknown]> = items.flatMap((item) =>
  isLabel(item) ? [] : [[item.kind, item.raw] as const]
)

let admin: string
/** Restricted to Astana (71). */
let analyst: string

beforeAll(async () => {
  server = await startTestServer({ dataset: rows })
  admin = (await loginRest(server.baseUrl, "admin")).accessToken
  analyst = (await loginRest(server.baseUrl, "analyst")).accessToken
})
afterAll(() => server.close())

const exportAll = (token: string, payload: { readonly regions?: ReadonlyArray<RegionCode> } = {}) =>
  withClient(server.baseUrl, token, (client) => client.FindingsExport(payload).pipe(Stream.runCollect))

const pageAllRest = async (token: string, query = ""): Promise<Array<Finding>> => {
  const all: Array<Finding> = []
  let afterKey: string | null = null
  do {
    const separator = query.length > 0 ? "&" : ""
    const cursor: string = afterKey === null ? "" : `${separator}afterKey=${encodeURIComponent(afterKey)}`
    const response = await fetch(`${server.baseUrl}/api/v1/findings?${query}${cursor}&limit=137`, {
      headers: { authorization: `Bearer ${token}` }
    })
    assert.strictEqual(response.status, 200)
    const page = (await response.json()) as { findings: Array<Finding>; nextKey: string | null }
    all.push(...page.findings)
    afterKey = page.nextKey
  } while (afterKey !== null)
  return all
}

describe("a generated dataset", () => {
  it("is served with every planted finding and none of the near-misses", async () => {
    const keys = new Set((await exportAll(admin)).map((f) => f.key))
    const flags = labels.filter((l) => l.expected === "flag")
    assert.isAbove(flags.length, 10)
    for (const label of flags) assert.isTrue(keys.has(label.key), `missing ${label.key} (${label.case})`)
    for (const label of labels.filter((l) => l.expected === "near-miss")) {
      assert.isFalse(keys.has(label.key), `near-miss served as a finding: ${label.key} (${label.case})`)
    }
  })

  it("pages by key over REST exactly as the export streams", async () => {
    const exported = (await exportAll(admin)).map((f) => f.key)
    const paged = (await pageAllRest(admin)).map((f) => f.key)
    assert.deepStrictEqual(paged, exported)
    assert.deepStrictEqual(paged, [...paged].sort())
  })

  it("counts by indicator × region what the rows say", async () => {
    const findings = await exportAll(admin)
    const expected = new Map<string, number>()
    for (const f of findings)
      expected.set(`${f.indicator}|${f.region}`, (expected.get(`${f.indicator}|${f.region}`) ?? 0) + 1)
    const counts = await withClient(server.baseUrl, admin, (client) => client.FindingsCounts({}))
    assert.deepStrictEqual(new Map(counts.counts.map((c) => [`${c.indicator}|${c.region}`, c.count])), expected)
  })

  it("shows a restricted analyst exactly the admin's view of the analyst's region", async () => {
    const everything = await exportAll(admin)
    const perRegion = new Map<RegionCode, number>()
    for (const f of everything) if (f.region !== null) perRegion.set(f.region, (perRegion.get(f.region) ?? 0) + 1)
    const [region] = [...perRegion].sort((a, b) => b[1] - a[1])[0] ?? []
    assert.isDefined(region)
    const regional = await withClient(server.baseUrl, admin, (client) =>
      client.UsersCreate({
        username: "regional.analyst",
        password: Redacted.make(PASSWORD),
        roles: ["analyst"],
        regions: [region as RegionCode]
      })
    )
    const token = (await loginRest(server.baseUrl, regional.username)).accessToken

    const mine = (await exportAll(token)).map((f) => f.key)
    const adminsView = (await exportAll(admin, { regions: [region as RegionCode] })).map((f) => f.key)
    assert.isAbove(mine.length, 0)
    assert.deepStrictEqual(mine, adminsView)
    const paged = await pageAllRest(token)
    assert.isTrue(paged.every((f) => f.region === region))
    assert.deepStrictEqual(
      paged.map((f) => f.key),
      mine
    )
    assert.isAbove(everything.length, mine.length)
  })

  it("filters measure ranges exactly", async () => {
    const found = await pageAllRest(admin, "measure=reduction_pct&measureMin=50")
    assert.isAbove(found.length, 0)
    const fifty = fractionOfDecimal("50")
    for (const f of found) {
      assert.isAtLeast(compareFractions(fractionOfDecimal(f.measures.reduction_pct ?? "NaN"), fifty), 0)
    }
    const all = await exportAll(admin)
    const expected = all.filter(
      (f) =>
        f.measures.reduction_pct !== undefined &&
        compareFractions(fractionOfDecimal(f.measures.reduction_pct), fifty) >= 0
    )
    assert.deepStrictEqual(
      found.map((f) => f.key),
      expected.map((f) => f.key)
    )
  })

  it("answers contract searches within the analyst's region through the typed client", async () => {
    await withClient(server.baseUrl, analyst, (client) =>
      Effect.gen(function* () {
        const page = yield* client.ContractsSearch({ limit: 50 })
        assert.isAbove(page.contracts.length, 0)
        const first = page.contracts[0]
        if (first === undefined) return
        const detail = yield* client.ContractsGet({ id: first.id })
        assert.strictEqual(detail.contract.id, first.id)
        assert.isTrue(detail.chain.some((c) => c.id === first.id))
      })
    )
  })
})
