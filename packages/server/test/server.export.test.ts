/**
 * A findings export over a store that fails: on the first page the export must still answer as an error (503
 * problem, RPC `Unavailable`); on a later page, once the 200 is out, it must end in a way no client takes for a
 * complete export, and the failure must be logged.
 */
import { completeBin, FindingStore, FindingStoreError } from "@adalqarau/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Effect, Logger } from "effect"
import type { PortServices } from "../src/Server.ts"
import { callRpc } from "./rawRpc.ts"
import { loginRest, startTestServer, type TestServer } from "./serverFixtures.ts"

let server: TestServer
let adminToken: string
const logged: Array<{ readonly level: string; readonly message: string }> = []

/** Marker customer BINs in the filter choose how the store fails; any other query is served as usual. */
const FAIL_FIRST = completeBin("99000000001") as string
const FAIL_LATER = completeBin("99000000002") as string

const failingFindings = (ports: Context.Context<PortServices>): Context.Context<PortServices> => {
  const findings = Context.get(ports, FindingStore)
  const failure = Effect.fail(new FindingStoreError({ operation: "query", message: "connection reset by db-primary" }))
  return Context.add(
    ports,
    FindingStore,
    FindingStore.of({
      ...findings,
      query: (q) => {
        if (q.customerBin === FAIL_FIRST) return failure
        if (q.customerBin !== FAIL_LATER) return findings.query(q)
        // A real first page that claims there is more, then a failure on the page after it.
        return q.afterKey === undefined
          ? Effect.map(findings.query({ ...q, customerBin: undefined, limit: 2 }), (page) => ({
              ...page,
              nextKey: page.findings.at(-1)?.key ?? "z"
            }))
          : failure
      }
    })
  )
}

beforeAll(async () => {
  server = await startTestServer({
    alterPorts: failingFindings,
    logger: Logger.layer([
      Logger.make((options) => logged.push({ level: options.logLevel, message: String(options.message) }))
    ])
  })
  adminToken = (await loginRest(server.baseUrl, "admin")).accessToken
})
afterAll(() => server.close())

const exportOf = (marker: string) =>
  fetch(`${server.baseUrl}/api/v1/findings/export?customerBin=${marker}`, {
    headers: { authorization: `Bearer ${adminToken}` }
  })

describe("a findings export whose store fails", () => {
  it("on the first page answers a 503 problem over REST, not a 200 and a dropped connection", async () => {
    const response = await exportOf(FAIL_FIRST)
    assert.strictEqual(response.status, 503)
    assert.strictEqual(response.headers.get("content-type"), "application/problem+json")
    const text = await response.text()
    assert.match(text, /try again later/u)
    assert.notInclude(text, "db-primary")
  })

  it("on the first page fails with Unavailable over RPC before any finding", async () => {
    const result = await callRpc(server.baseUrl, "FindingsExport", { customerBin: FAIL_FIRST }, adminToken)
    assert.strictEqual(result.outcome, "Unavailable")
    assert.deepStrictEqual(result.value, [])
  })

  it("on a later page cuts the REST response short, never ends it cleanly, and logs why", async () => {
    logged.length = 0
    const outcome = await exportOf(FAIL_LATER)
      .then((response) => response.text())
      .then(
        () => "complete",
        () => "cut"
      )
    assert.strictEqual(outcome, "cut")
    // The log lines are written as the response is torn down; give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const errors = logged.filter((line) => line.level === "Error").map((line) => line.message)
    assert.isTrue(errors.some((m) => m.includes("store failure")))
    assert.isTrue(errors.some((m) => m.includes("findings export cut short")))
  })

  it("on a later page ends the RPC stream with Unavailable after the findings already sent", async () => {
    const result = await callRpc(server.baseUrl, "FindingsExport", { customerBin: FAIL_LATER }, adminToken)
    assert.strictEqual(result.outcome, "Unavailable")
    assert.lengthOf(result.value as ReadonlyArray<unknown>, 2)
  })

  it("serves the whole export when the store answers", async () => {
    const response = await fetch(`${server.baseUrl}/api/v1/findings/export?indicators=super-dumping`, {
      headers: { authorization: `Bearer ${adminToken}` }
    })
    assert.strictEqual(response.status, 200)
    const lines = (await response.text()).split("\n").filter((line) => line.length > 0)
    assert.isAbove(lines.length, 0)
  })
})
