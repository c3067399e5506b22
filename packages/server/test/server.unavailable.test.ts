import { ContractStore, ContractStoreError } from "@adalqarau/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Effect, Logger } from "effect"
import { rpcOutcome } from "./rpcClient.ts"
import { loginRest, startTestServer, type TestServer } from "./serverFixtures.ts"

let server: TestServer
const logged: Array<string> = []

const failure = (operation: string) =>
  Effect.fail(new ContractStoreError({ operation, message: "connection to db-primary.internal:5432 refused" }))

beforeAll(async () => {
  server = await startTestServer({
    logger: Logger.layer([Logger.make((options) => logged.push(String(options.message)))]),
    alterPorts: (ports) => {
      const contracts = Context.get(ports, ContractStore)
      return Context.add(
        ports,
        ContractStore,
        ContractStore.of({ ...contracts, search: () => failure("search"), getChain: () => failure("getChain") })
      )
    }
  })
})
afterAll(() => server.close())

describe("a store that does not answer", () => {
  it("answers 503 over REST and Unavailable over RPC, without the driver's message", async () => {
    const { accessToken } = await loginRest(server.baseUrl, "admin")
    const response = await fetch(`${server.baseUrl}/api/v1/contracts/101`, {
      headers: { authorization: `Bearer ${accessToken}` }
    })
    assert.strictEqual(response.status, 503)
    const text = await response.text()
    assert.notInclude(text, "db-primary")
    assert.match(text, /try again later/u)
    assert.strictEqual(await rpcOutcome(server.baseUrl, accessToken, (c) => c.ContractsSearch({})), "Unavailable")
  })

  it("is logged for operators, with its cause", () => {
    assert.isTrue(logged.some((message) => message.includes("store failure")))
  })

  it("makes the server not ready", async () => {
    const response = await fetch(`${server.baseUrl}/health/ready`)
    assert.strictEqual(response.status, 503)
    const body = (await response.json()) as { status: string; checks: Record<string, string> }
    assert.strictEqual(body.status, "not ready")
    assert.notStrictEqual(body.checks.contracts, "ok")
    assert.strictEqual(body.checks.findings, "ok")
  })
})
