/**
 * What the server makes of requests it cannot serve as asked: body keys no endpoint declares, text PostgreSQL cannot
 * hold, unknown routes, wrong methods and unreadable bodies. Each answers a 4xx problem naming what was wrong,
 * over REST and RPC alike, and never runs on defaults or blames a store.
 */
import { ContractStore, ContractStoreError, FindingStore, FindingStoreError, RunStore } from "@adalqarau/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Effect } from "effect"
import type { PortServices } from "../src/Server.ts"
import { callRpc } from "./rawRpc.ts"
import { loginRest, PASSWORD, startTestServer, type TestServer } from "./serverFixtures.ts"

let server: TestServer
let adminToken: string

const hasNul = (texts: ReadonlyArray<string | undefined>): boolean => texts.some((t) => t?.includes("\u0000") === true)

/** The stores refuse NUL as the PostgreSQL ones do (PostgreSQL `text` cannot hold it): with a store failure. */
const refuseNulLikePostgres = (ports: Context.Context<PortServices>): Context.Context<PortServices> => {
  const findings = Context.get(ports, FindingStore)
  const contracts = Context.get(ports, ContractStore)
  const findingFailure = (operation: string) =>
    Effect.fail(new FindingStoreError({ operation, message: "text filters must not contain NUL characters" }))
  return Context.add(
    Context.add(
      ports,
      FindingStore,
      FindingStore.of({
        ...findings,
        query: (q) =>
          hasNul([...(q.indicators ?? []), q.afterKey, q.measure?.name]) ? findingFailure("query") : findings.query(q),
        counts: (f) =>
          hasNul([...(f.indicators ?? []), f.measure?.name]) ? findingFailure("counts") : findings.counts(f)
      })
    ),
    ContractStore,
    ContractStore.of({
      ...contracts,
      search: (q) =>
        hasNul([q.number])
          ? Effect.fail(new ContractStoreError({ operation: "search", message: "text filters must not contain NUL" }))
          : contracts.search(q)
    })
  )
}

beforeAll(async () => {
  server = await startTestServer({ alterPorts: refuseNulLikePostgres })
  adminToken = (await loginRest(server.baseUrl, "admin")).accessToken
})
afterAll(() => server.close())

interface Problem {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly errors?: ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }>
}

const send = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(`${server.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminToken}`, ...init.headers }
  })
  const text = await response.text()
  return { response, text }
}

const post = (path: string, body: unknown, method = "POST") =>
  send(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

/** A 400 problem+json whose first issue is at `path` and says `message`. */
const assertBadRequest = (
  answer: { readonly response: Response; readonly text: string },
  path: ReadonlyArray<string | number>,
  message: RegExp
) => {
  assert.strictEqual(answer.response.status, 400, answer.text)
  assert.strictEqual(answer.response.headers.get("content-type"), "application/problem+json")
  const problem = JSON.parse(answer.text) as Problem
  assert.deepStrictEqual(problem.errors?.[0]?.path, path)
  assert.match(problem.errors?.[0]?.message ?? "", message)
}

const runCount = () =>
  server.run(
    Effect.map(
      Effect.flatMap(RunStore, (runs) => runs.list({ limit: 1000 })),
      (r) => r.length
    )
  )

describe("body keys an endpoint does not declare", () => {
  const EXCESS = /Expected no excess property/u

  it("refuse a run over REST with 400 naming the key, and queue nothing", async () => {
    const before = await runCount()
    const cases: ReadonlyArray<readonly [unknown, ReadonlyArray<string>]> = [
      [{ params: { indicator: { "super-dumping": {} } } }, ["payload", "params", "indicator"]],
      [{ params: { filters: { statusId: [1] } } }, ["payload", "params", "filters", "statusId"]],
      [{ params: { onl: ["super-dumping"] } }, ["payload", "params", "onl"]],
      [{ parms: {} }, ["payload", "parms"]]
    ]
    for (const [body, path] of cases) assertBadRequest(await post("/api/v1/runs", body), path, EXCESS)
    assert.strictEqual(await runCount(), before)
  })

  it("refuse every other JSON body too: users create and update, login", async () => {
    const user = { username: "newcomer", password: PASSWORD, roles: ["viewer"], regions: ["71"] }
    assertBadRequest(await post("/api/v1/users", { ...user, role: "admin" }), ["payload", "role"], EXCESS)
    assertBadRequest(
      await post(`/api/v1/users/${server.users.target.id}`, { disabld: true }, "PATCH"),
      ["payload", "disabld"],
      EXCESS
    )
    const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD, remember: true })
    })
    assertBadRequest({ response: login, text: await login.text() }, ["payload", "remember"], EXCESS)
  })

  it("still accept the declared keys", async () => {
    const started = await post("/api/v1/runs", { params: { only: ["super-dumping"], filters: { statusIds: [190] } } })
    assert.strictEqual(started.response.status, 202, started.text)
  })

  it("refuse a run over RPC, naming the key, and queue nothing", async () => {
    const before = await runCount()
    for (const payload of [{ params: { filters: { statusId: [1] } } }, { parms: {} }]) {
      const result = await callRpc(server.baseUrl, "RunsStart", payload, adminToken)
      assert.strictEqual(result.outcome, "defect")
      assert.match(JSON.stringify(result.error), /Expected no excess property/u)
    }
    const nested = await callRpc(server.baseUrl, "RunsStart", { params: { filters: { statusId: [1] } } }, adminToken)
    assert.include(JSON.stringify(nested.error), String.raw`[\"params\"][\"filters\"][\"statusId\"]`)
    const login = await callRpc(server.baseUrl, "Login", { username: "admin", password: PASSWORD, remember: true })
    assert.strictEqual(login.outcome, "defect")
    assert.include(JSON.stringify(login.error), String.raw`[\"remember\"]`)
    assert.strictEqual(await runCount(), before)
  })
})

describe("the NUL character (U+0000) in text", () => {
  const NUL = /must not contain the NUL character/u

  it("answers 400 naming the field over REST, not 503", async () => {
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<string | number>]> = [
      ["/api/v1/findings?afterKey=%00", ["query", "afterKey"]],
      ["/api/v1/findings?indicators=a%00", ["query", "indicators", 0]],
      ["/api/v1/findings?measure=x%00y", ["query", "measure"]],
      ["/api/v1/findings/counts?indicators=a%00", ["query", "indicators", 0]],
      ["/api/v1/findings/export?indicators=a%00", ["query", "indicators", 0]],
      ["/api/v1/contracts?number=a%00b", ["query", "number"]],
      ["/api/v1/users?afterUsername=a%00", ["query", "afterUsername"]]
    ]
    for (const [path, field] of cases) assertBadRequest(await send(path), field, NUL)
    const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "adm\u0000in", password: PASSWORD })
    })
    assertBadRequest({ response: login, text: await login.text() }, ["payload", "username"], NUL)
  })

  it("is refused by the RPC payload schema, not reported Unavailable", async () => {
    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      ["FindingsQuery", { afterKey: "a\u0000" }, "afterKey"],
      ["FindingsCounts", { indicators: ["a\u0000"] }, "indicators"],
      ["FindingsQuery", { measure: { name: "x\u0000y" } }, "measure"],
      ["ContractsSearch", { number: "a\u0000b" }, "number"]
    ]
    for (const [tag, payload, field] of cases) {
      const result = await callRpc(server.baseUrl, tag, payload, adminToken)
      assert.strictEqual(result.outcome, "defect", `${tag}: ${JSON.stringify(result)}`)
      assert.match(JSON.stringify(result.error), NUL)
      assert.include(JSON.stringify(result.error), String.raw`[\"${field}\"]`)
    }
  })
})

describe("routes and bodies the router cannot serve", () => {
  it("answers an unknown path with a 404 problem", async () => {
    for (const path of ["/api/v1/nope", "/nope"]) {
      const { response, text } = await send(path)
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.headers.get("content-type"), "application/problem+json")
      const problem = JSON.parse(text) as Problem
      assert.strictEqual(problem.status, 404)
      assert.include(problem.detail, path)
    }
  })

  it("answers a known path asked with the wrong method with 405 and Allow", async () => {
    const { response, text } = await send("/api/v1/findings", { method: "DELETE" })
    assert.strictEqual(response.status, 405)
    assert.strictEqual(response.headers.get("content-type"), "application/problem+json")
    assert.strictEqual(response.headers.get("allow"), "GET, HEAD")
    assert.strictEqual((JSON.parse(text) as Problem).title, "Method Not Allowed")
    const rpc = await fetch(`${server.baseUrl}/rpc`)
    assert.strictEqual(rpc.status, 405)
    assert.strictEqual(rpc.headers.get("allow"), "POST")
  })

  it("answers a body in a type it does not read with a 415 problem", async () => {
    const { response, text } = await send("/api/v1/runs", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}"
    })
    assert.strictEqual(response.status, 415)
    assert.strictEqual(response.headers.get("content-type"), "application/problem+json")
    assert.match((JSON.parse(text) as Problem).detail, /text\/plain/u)
  })
})
