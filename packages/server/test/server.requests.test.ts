/**
 * What the server makes of requests it cannot serve as asked: body keys no endpoint declares, text PostgreSQL cannot
 * hold, unknown routes, wrong methods and unreadable bodies. Each answers a 4xx problem naming what was wrong,
 * over REST and RPC alike, and never runs on defaults or blames a store.
 */
import {
  can,
  ContractStore,
  ContractStoreError,
  FindingStore,
  FindingStoreError,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type Principal,
  RunStore,
  type UserId,
  type Username
} from "@adalqarau/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Effect, Option } from "effect"
import { AdalQarauRpcs } from "../src/api/Rpcs.ts"
import { RequiredPermission } from "../src/api/security.ts"
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

const EXCESS_PROPERTY = /Expected no excess property/u

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
    // The filters in force (the defaults'): a run of some indicators must keep them.
    const started = await post("/api/v1/runs", {
      params: { only: ["super-dumping"], filters: { statusIds: [190, 340, 350, 375, 390, 450] } }
    })
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
    const user = {
      username: "nul-name",
      displayName: "a\u0000b",
      password: "long-enough-password",
      roles: ["viewer"],
      regions: []
    }
    const json = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(user) }
    assertBadRequest(await send("/api/v1/users", json), ["payload", "displayName"], NUL)
    // Lengths count characters: 150 emoji (300 UTF-16 units) are within the 200 allowed.
    const emoji = { ...user, username: "emoji-name", displayName: "😀".repeat(150) }
    const created = await send("/api/v1/users", { ...json, body: JSON.stringify(emoji) })
    assert.strictEqual(created.response.status, 201, created.text)
  })

  it("is refused by the RPC payload schema, not reported Unavailable", async () => {
    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      ["FindingsQuery", { afterKey: "a\u0000" }, "afterKey"],
      ["FindingsCounts", { indicators: ["a\u0000"] }, "indicators"],
      ["FindingsQuery", { measure: { name: "x\u0000y" } }, "measure"],
      ["ContractsSearch", { number: "a\u0000b" }, "number"],
      ["UsersUpdate", { id: "1", displayName: "a\u0000" }, "displayName"]
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

describe("a query parameter given more than once", () => {
  /** Values the list parameters take, to check that repeating them still works. */
  const LIST_VALUES: Readonly<Record<string, readonly [string, string]>> = {
    indicators: ["super-dumping", "minimal-dumping"],
    regions: ["71", "75"]
  }

  it("answers 400 naming it when it takes one value, and is read as a list when it takes a list", async () => {
    const spec = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
      paths: Record<
        string,
        { get?: { parameters?: ReadonlyArray<{ in: string; name: string; schema: { type?: string } }> } }
      >
    }
    const checked = { single: 0, list: 0 }
    for (const [path, operation] of Object.entries(spec.paths)) {
      for (const parameter of operation.get?.parameters ?? []) {
        if (parameter.in !== "query") continue
        const { name } = parameter
        if (parameter.schema.type === "array") {
          const values = LIST_VALUES[name]
          assert.isDefined(values, `a value for the list parameter ${name}`)
          const [first, second] = values ?? ["", ""]
          const answer = await send(`${path}?${name}=${first}&${name}=${second}`)
          assert.strictEqual(answer.response.status, 200, `${path} ${name}: ${answer.text}`)
          checked.list++
        } else {
          assertBadRequest(
            await send(`${path}?${name}=1&${name}=1`),
            ["query", name],
            new RegExp(`^${name} was given more than once; it takes one value$`, "u")
          )
          checked.single++
        }
      }
    }
    // Contracts, findings (query, counts, export), runs and users: every GET with a query string.
    assert.deepStrictEqual(checked, { single: 35, list: 7 })
  })

  it("still answers 403 first to a caller without the permission", async () => {
    const viewer = (await loginRest(server.baseUrl, "viewer")).accessToken
    const response = await fetch(`${server.baseUrl}/api/v1/runs?limit=1&limit=2`, {
      headers: { authorization: `Bearer ${viewer}` }
    })
    assert.strictEqual(response.status, 403)
  })
})

describe("whole numbers in query strings and paths", () => {
  /** Every numeric parameter of the REST API, by operation path, with its bounds as the description must state them. */
  const NUMERIC: ReadonlyArray<readonly [string, string, string]> = [
    ["/api/v1/contracts", "afterId", "1 or more"],
    ["/api/v1/contracts", "limit", "from 1 to 500"],
    ["/api/v1/contracts/{id}", "id", "1 or more"],
    ["/api/v1/findings", "limit", "from 1 to 1000"],
    ["/api/v1/runs", "beforeId", "1 or more"],
    ["/api/v1/runs", "limit", "from 1 to 100"],
    ["/api/v1/runs/{id}", "id", "1 or more"],
    ["/api/v1/users", "limit", "from 1 to 500"]
  ]

  it("are documented as digits with their bounds", async () => {
    const spec = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { parameters?: ReadonlyArray<{ name: string; schema: Record<string, unknown> }> } }>
    }
    for (const [path, name, bounds] of NUMERIC) {
      const parameter = spec.paths[path]?.get?.parameters?.find((p) => p.name === name)
      assert.isDefined(parameter, `${path} ${name}`)
      assert.strictEqual(parameter?.schema.type, "string", `${path} ${name}`)
      assert.strictEqual(parameter?.schema.pattern, "^[0-9]+$", `${path} ${name}`)
      assert.include(String(parameter?.schema.description), bounds, `${path} ${name}`)
    }
  })

  it("refuse what the document does not allow with a 400 naming the parameter", async () => {
    const WHOLE = /whole number/u
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
      ["/api/v1/contracts?limit=1.5", ["query", "limit"]],
      ["/api/v1/contracts?limit=1e2", ["query", "limit"]],
      ["/api/v1/contracts?afterId=1e3", ["query", "afterId"]],
      ["/api/v1/contracts?afterId=%2B5", ["query", "afterId"]],
      ["/api/v1/contracts/1e0", ["params", "id"]],
      ["/api/v1/findings?limit=%2B5", ["query", "limit"]],
      ["/api/v1/runs?beforeId=1.5", ["query", "beforeId"]],
      ["/api/v1/runs?limit=-1", ["query", "limit"]],
      ["/api/v1/runs/0x1", ["params", "id"]],
      ["/api/v1/users?limit=%205", ["query", "limit"]]
    ]
    for (const [path, field] of cases) assertBadRequest(await send(path), field, WHOLE)
    assertBadRequest(await send("/api/v1/contracts?limit=501"), ["query", "limit"], /between 1 and 500/u)
    assertBadRequest(await send("/api/v1/runs?limit=0"), ["query", "limit"], /between 1 and 100/u)
    assertBadRequest(await send("/api/v1/runs/0"), ["params", "id"], /greater than 0/u)
    const HUGE = /must be a whole number from 1 to 9007199254740991/u
    assertBadRequest(await send("/api/v1/contracts/99999999999999999999"), ["params", "id"], HUGE)
    assertBadRequest(await send("/api/v1/contracts/9007199254740992"), ["params", "id"], HUGE)
    assertBadRequest(await send("/api/v1/contracts?afterId=99999999999999999999"), ["query", "afterId"], HUGE)
    assertBadRequest(
      await send("/api/v1/findings?limit=99999999999999999999999"),
      ["query", "limit"],
      /limit must be a whole number from 1 to 1000/u
    )
  })

  it("accept digits within the bounds", async () => {
    for (const path of [
      "/api/v1/contracts?limit=500&afterId=1",
      "/api/v1/runs?limit=100&beforeId=7",
      "/api/v1/users?limit=1"
    ]) {
      const { response, text } = await send(path)
      assert.strictEqual(response.status, 200, `${path}: ${text}`)
    }
  })
})

describe("errors a use case finds in a request", () => {
  const runWith = (params: unknown) => post("/api/v1/runs", { params })

  it("name the field from the request part over REST, as schema errors do, in one line", async () => {
    const before = await runCount()
    assertBadRequest(await runWith({ only: ["nope"] }), ["payload", "params", "only", 0], /unknown indicator nope/u)
    const threshold = await runWith({ indicators: { "super-dumping": { threshold: "abc" } } })
    assertBadRequest(threshold, ["payload", "params", "indicators", "super-dumping", "threshold"], /^Expected number/u)
    const typo = await runWith({ indicators: { "super-dumping": { threshhold: 5 } } })
    assertBadRequest(typo, ["payload", "params", "indicators", "super-dumping", "threshhold"], EXCESS_PROPERTY)
    for (const answer of [threshold, typo]) {
      const message = (JSON.parse(answer.text) as Problem).errors?.[0]?.message ?? ""
      assert.notInclude(message, "\n")
      assert.notInclude(message, "at [")
    }
    assert.strictEqual(await runCount(), before)
    const user = { username: "no spaces allowed", password: PASSWORD, roles: ["viewer"], regions: ["71"] }
    assertBadRequest(await post("/api/v1/users", user), ["payload", "username"], /username must be/u)
  })

  it("name the same field, relative to the payload, over RPC", async () => {
    const result = await callRpc(
      server.baseUrl,
      "RunsStart",
      { params: { indicators: { "super-dumping": { threshold: "abc" } } } },
      adminToken
    )
    assert.strictEqual(result.outcome, "InvalidInput", JSON.stringify(result))
    const error = result.error as { readonly field: string; readonly message: string }
    assert.strictEqual(error.field, "params.indicators.super-dumping.threshold")
    assert.notInclude(error.message, "\n")
    const only = await callRpc(server.baseUrl, "RunsStart", { params: { only: ["nope"] } }, adminToken)
    assert.strictEqual((only.error as { readonly field: string }).field, "params.only.0")
  })
})

describe("passwords", () => {
  type JsonSchema = { $ref?: string; properties?: Record<string, JsonSchema>; minLength?: number; maxLength?: number }

  it("are documented with the length the server checks, counted in characters", async () => {
    const spec = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: JsonSchema }> } } }>
      components: { schemas: Record<string, JsonSchema> }
    }
    const resolve = (schema: JsonSchema | undefined): JsonSchema | undefined =>
      schema?.$ref === undefined ? schema : resolve(spec.components.schemas[schema.$ref.split("/").at(-1) as string])
    const body = resolve(spec.paths["/api/v1/users"]?.post?.requestBody?.content["application/json"]?.schema)
    const password = resolve(body?.properties?.password)
    assert.strictEqual(password?.minLength, PASSWORD_MIN_LENGTH)
    assert.strictEqual(password?.maxLength, PASSWORD_MAX_LENGTH)

    const create = (username: string, pass: string) =>
      send("/api/v1/users", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password: pass, roles: ["viewer"], regions: [] })
      })
    // Six characters outside the BMP are twelve UTF-16 units: too short all the same.
    assertBadRequest(await create("emoji-pass", "🔑".repeat(6)), ["payload", "password"], /at least 12 characters/u)
    assert.strictEqual((await create("cyrillic-pass", "пароль-длинн")).response.status, 201)
  })
})

describe("finding filters that can only match nothing because they are wrong", () => {
  it("answer 400 naming the parameter over REST, not an empty page", async () => {
    const UNKNOWN = /unknown indicator .*: the catalogue has super-dumping, /u
    for (const path of ["/api/v1/findings", "/api/v1/findings/counts", "/api/v1/findings/export"]) {
      assertBadRequest(await send(`${path}?indicators=nope`), ["query", "indicators", 0], UNKNOWN)
      assertBadRequest(await send(`${path}?indicators=SUPER-DUMPING`), ["query", "indicators", 0], UNKNOWN)
      assertBadRequest(
        await send(`${path}?indicators=super-dumping&indicators=super-dumping,sum-growth`),
        ["query", "indicators", 1],
        UNKNOWN
      )
      assertBadRequest(
        await send(`${path}?dateFrom=2024-01-01&dateTo=2023-01-01`),
        ["query", "dateTo"],
        /before dateFrom/u
      )
      assertBadRequest(
        await send(`${path}?measure=reduction_pct&measureMin=50&measureMax=10`),
        ["query", "measureMax"],
        /below its min/u
      )
    }
    assertBadRequest(
      await send("/api/v1/contracts?signedFrom=2024-01-01&signedTo=2020-01-01"),
      ["query", "signedTo"],
      /before signedFrom/u
    )
    assertBadRequest(
      await send("/api/v1/findings?measure=nonexistent"),
      ["query", "measure"],
      /unknown measure "nonexistent": the indicators have plan_sum, /u
    )
    assertBadRequest(
      await send("/api/v1/findings?indicators=partnership&measure=reduction_pct&measureMin=1"),
      ["query", "measure"],
      /unknown measure "reduction_pct": the indicators asked for have pair_contracts, /u
    )
    assertBadRequest(
      await send("/api/v1/findings?measure=first_payment&measureMin=5"),
      ["query", "measure"],
      /first_payment is a date, and a measure range compares decimals/u
    )
    assert.strictEqual((await send("/api/v1/findings?measure=first_payment")).response.status, 200)
    // One day is a range, and equal bounds match exactly that value.
    assert.strictEqual((await send("/api/v1/findings?dateFrom=2023-01-01&dateTo=2023-01-01")).response.status, 200)
    const exact = await send("/api/v1/findings?measure=reduction_pct&measureMin=50&measureMax=50.0")
    assert.strictEqual(exact.response.status, 200)
  })

  it("fail with InvalidInput over RPC, naming the payload field", async () => {
    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      ["FindingsQuery", { indicators: ["super-dumping", "nope"] }, "indicators.1"],
      ["FindingsCounts", { dateFrom: "2024-01-01", dateTo: "2023-12-31" }, "dateTo"],
      ["FindingsExport", { measure: { name: "reduction_pct", min: "10.5", max: "10.25" } }, "measure.max"],
      ["ContractsSearch", { signedFrom: "2024-01-01", signedTo: "2020-01-01" }, "signedTo"],
      ["FindingsQuery", { indicators: [] }, "indicators"],
      ["FindingsCounts", { indicators: [], measure: { name: "days" } }, "indicators"]
    ]
    for (const [tag, payload, field] of cases) {
      const result = await callRpc(server.baseUrl, tag, payload, adminToken)
      assert.strictEqual(result.outcome, "InvalidInput", `${tag}: ${JSON.stringify(result)}`)
      assert.strictEqual((result.error as { readonly field: string }).field, field)
    }
  })
})

describe("starting runs", () => {
  it("refuses oversized parameter lists (400)", async () => {
    const start = (body: unknown) =>
      send("/api/v1/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body)
      })
    assertBadRequest(
      await start({ params: { filters: { statusIds: Array.from({ length: 1001 }, (_, i) => i) } } }),
      ["payload", "params", "filters", "statusIds"],
      /at most 1000 ids/u
    )
    assertBadRequest(
      await start({ params: { only: Array.from({ length: 101 }, () => "super-dumping") } }),
      ["payload", "params", "only"],
      /at most 100 indicator codes/u
    )
  })
})

describe("a caller without the endpoint's permission", () => {
  it("gets 403 before the request is checked, so a refusal teaches nothing about the operation's rules", async () => {
    const as = async (username: string, path: string, init: RequestInit = {}) => {
      const token = (await loginRest(server.baseUrl, username)).accessToken
      const response = await fetch(`${server.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init.headers }
      })
      return { status: response.status, body: await response.text() }
    }
    const json = (body: unknown): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    const weakUser = json({ username: "zz", password: "x", roles: [], regions: [] })
    for (const [username, path, init] of [
      ["analyst", "/api/v1/users", weakUser],
      ["analyst", "/api/v1/users?limit=0", {}],
      ["viewer", "/api/v1/findings/export?dateFrom=x", {}],
      ["viewer", "/api/v1/runs", json({ params: { filters: { statusIds: [] } } })],
      ["viewer", "/api/v1/runs/0", {}]
    ] as const) {
      const answer = await as(username, path, init)
      assert.strictEqual(answer.status, 403, `${username} ${path}: ${answer.body}`)
      assert.notMatch(answer.body, /password|limit|dateFrom|statusIds|whole number/u)
    }
    // With the permission, the same requests are checked: 400 naming the field.
    const admin = await as("admin", "/api/v1/users", weakUser)
    assert.strictEqual(admin.status, 400)
    assert.strictEqual((await as("analyst", "/api/v1/findings/export?dateFrom=x")).status, 400)
  })
})

/** Sends RPC messages as one ndjson request; each request id's Exit, as JSON text. */
const exitsOfBatch = async (
  lines: ReadonlyArray<unknown>,
  headers: Readonly<Record<string, string>> = {}
): Promise<ReadonlyMap<string | undefined, string>> => {
  const response = await fetch(`${server.baseUrl}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/ndjson", ...headers },
    body: lines.map((line) => `${JSON.stringify(line)}\n`).join("")
  })
  return new Map(
    (await response.text())
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as { _tag: string; requestId?: string; exit?: unknown })
      .filter((frame) => frame._tag === "Exit")
      .map((frame) => [frame.requestId, JSON.stringify(frame.exit)])
  )
}

describe("an RPC caller without the procedure's permission", () => {
  const ROLE_OF = { viewer: "viewer", analyst: "analyst", admin: "admin" } as const
  type Caller = keyof typeof ROLE_OF
  const principalOf = (caller: Caller): Principal => ({
    userId: "probe" as UserId,
    username: "probe" as Username,
    roles: [ROLE_OF[caller]],
    regions: ["71"]
  })
  /** Payloads the schema refuses, each in a way that would describe the procedure's rules. */
  const WEAK_USER = { username: "zz", password: "x", roles: [], regions: [] }
  const invalidPayload = (tag: string): unknown =>
    tag === "UsersCreate"
      ? WEAK_USER
      : tag === "UsersUpdate"
        ? { id: "1", password: "x" }
        : tag === "RunsStart"
          ? { params: { filters: { statusIds: [] } }, unexpected: true }
          : { limit: 0, unexpected: true }
  const tokenOf = async (caller: Caller) => (await loginRest(server.baseUrl, caller)).accessToken

  it("gets Forbidden before the payload is decoded, for every procedure that declares a permission", async () => {
    const tokens = {
      viewer: await tokenOf("viewer"),
      analyst: await tokenOf("analyst"),
      admin: await tokenOf("admin")
    }
    const refused: Array<string> = []
    for (const [tag, rpc] of AdalQarauRpcs.requests) {
      const permission = Context.getOption(rpc.annotations, RequiredPermission)
      if (Option.isNone(permission)) continue
      for (const caller of ["viewer", "analyst", "admin"] as const) {
        if (can(principalOf(caller), permission.value)) continue
        const result = await callRpc(server.baseUrl, tag, invalidPayload(tag), tokens[caller])
        assert.strictEqual(result.outcome, "Forbidden", `${tag} as ${caller}: ${JSON.stringify(result)}`)
        assert.strictEqual((result.error as { readonly permission: string }).permission, permission.value)
        refused.push(`${tag} as ${caller}`)
      }
      // With the permission, the same payload is checked: the schema's refusal, naming what was wrong.
      const permitted = await callRpc(server.baseUrl, tag, invalidPayload(tag), tokens.admin)
      assert.strictEqual(permitted.outcome, "defect", `${tag} as admin: ${JSON.stringify(permitted)}`)
      assert.match(JSON.stringify(permitted.error), /password must have|Expected no excess property|Expected null/u)
    }
    // Every procedure some role may not call: the users' five to viewer and analyst, runs and export to viewer.
    assert.sameMembers(refused, [
      ...["UsersList", "UsersCreate", "UsersGet", "UsersUpdate", "UsersDisable"].flatMap((tag) => [
        `${tag} as viewer`,
        `${tag} as analyst`
      ]),
      "FindingsExport as viewer",
      "RunsStart as viewer",
      "RunsList as viewer",
      "RunsGet as viewer"
    ])
  })

  it("learns nothing of the password policy, and a permitted one still gets InvalidInput from the use case", async () => {
    const analyst = await callRpc(server.baseUrl, "UsersCreate", WEAK_USER, await tokenOf("analyst"))
    assert.strictEqual(analyst.outcome, "Forbidden")
    assert.notMatch(JSON.stringify(analyst.error), /password must|characters/u)
    const admin = await callRpc(server.baseUrl, "UsersCreate", WEAK_USER, adminToken)
    assert.match(JSON.stringify(admin.error), /password must have at least/u)
    const unknownIndicator = { params: { only: ["nope"] } }
    const viewerRun = await callRpc(server.baseUrl, "RunsStart", unknownIndicator, await tokenOf("viewer"))
    assert.strictEqual(viewerRun.outcome, "Forbidden")
    const analystRun = await callRpc(server.baseUrl, "RunsStart", unknownIndicator, await tokenOf("analyst"))
    assert.strictEqual(analystRun.outcome, "InvalidInput", JSON.stringify(analystRun))
  })

  it("is refused as Unauthenticated before the payload is decoded when it sends no valid token", async () => {
    for (const token of [undefined, "not-a-token"]) {
      for (const tag of ["UsersCreate", "Me", "FindingsQuery"]) {
        const result = await callRpc(server.baseUrl, tag, WEAK_USER, token)
        assert.strictEqual(result.outcome, "Unauthenticated", `${tag} with ${token}: ${JSON.stringify(result)}`)
      }
    }
    // Public procedures are decoded as before.
    const login = await callRpc(server.baseUrl, "Login", { username: "admin", password: PASSWORD, remember: true })
    assert.strictEqual(login.outcome, "defect")
  })

  it("is refused in a batch without holding up the calls it may make", async () => {
    const token = await tokenOf("viewer")
    const lines = [
      { _tag: "Request", id: "1", tag: "UsersCreate", payload: WEAK_USER, headers: [] },
      { _tag: "Request", id: "2", tag: "Me", payload: null, headers: [] },
      { _tag: "Request", id: "3", tag: "UsersList", payload: {}, headers: [["authorization", "Bearer nope"]] }
    ]
    const exits = await exitsOfBatch(lines, { authorization: `Bearer ${token}` })
    assert.match(exits.get("1") ?? "", /"_tag":"Forbidden"/u)
    assert.match(exits.get("2") ?? "", /"_tag":"Success".*"username":"viewer"/u)
    // The message's own header overrides the HTTP request's, for the check as for the procedure.
    assert.match(exits.get("3") ?? "", /"_tag":"Unauthenticated"/u)
  })

  it("runs a public procedure whose message has no headers, or headers that are no name and value pairs", async () => {
    const login = { username: "viewer", password: PASSWORD }
    const lines = [
      { _tag: "Request", id: "1", tag: "Login", payload: login },
      { _tag: "Request", id: "2", tag: "Login", payload: login, headers: { authorization: "x" } },
      { _tag: "Request", id: "3", tag: "Login", payload: login, headers: [["x-a", "1"], "junk", [1, 2]] },
      { _tag: "Request", id: "4", tag: "Me", payload: null, headers: { authorization: "x" } }
    ]
    const exits = await exitsOfBatch(lines)
    for (const id of ["1", "2", "3"]) assert.match(exits.get(id) ?? "", /"_tag":"Success".*"accessToken"/u, id)
    assert.match(exits.get("4") ?? "", /"_tag":"Unauthenticated"/u)
  })

  it("runs a protected procedure whose message has no headers with the HTTP request's token", async () => {
    const token = await tokenOf("viewer")
    const call = { _tag: "Request", id: "1", tag: "Me", payload: null }
    const withToken = await exitsOfBatch([call, { ...call, id: "2", headers: null }], {
      authorization: `Bearer ${token}`
    })
    for (const id of ["1", "2"]) assert.match(withToken.get(id) ?? "", /"_tag":"Success".*"username":"viewer"/u, id)
    // Without one it is refused for that, not for headers it did not send.
    const without = await exitsOfBatch([call])
    assert.match(without.get("1") ?? "", /"_tag":"Unauthenticated".*missing bearer token/u)
  })
})
