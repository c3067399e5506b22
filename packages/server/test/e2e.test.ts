/**
 * End to end: the real server on 127.0.0.1 over the in-memory ports seeded with the fixture dataset, driven with
 * the exported typed RPC client and with plain `fetch` against REST; the OpenAPI document is checked against the
 * routes; and the packaged entry point is started as a process to see JSON logs and graceful shutdown.
 */
import type { ContractId, Finding } from "@adalqarau/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Redacted, Schedule, Stream } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { AdalQarauApi } from "../src/api/HttpApi.ts"
import { restRoutes } from "../src/ops/routes.ts"
import { withClient } from "./rpcClient.ts"
import {
  CONTRACT_71,
  CUSTOMER_71,
  DEFAULT_SCRYPT,
  loginRest,
  PASSWORD,
  startTestServer,
  type TestServer
} from "./serverFixtures.ts"

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ scrypt: DEFAULT_SCRYPT })
})
afterAll(() => server.close())

const rest = async <A>(path: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: A }> => {
  const response = await fetch(`${server.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers }
  })
  const text = await response.text()
  return { status: response.status, body: (text.length === 0 ? undefined : JSON.parse(text)) as A }
}

describe("through the typed RPC client", () => {
  it("logs in, reads the catalogue, contracts with chain and diff, and findings with exact measure ranges", async () => {
    const { accessToken: token } = await withClient(server.baseUrl, undefined, (client) =>
      client.Login({ username: "analyst", password: Redacted.make(PASSWORD) })
    )
    await withClient(server.baseUrl, token, (client) =>
      Effect.gen(function* () {
        const me = yield* client.Me()
        assert.strictEqual(me.user.username, "analyst")
        assert.isFalse(me.allRegions)
        assert.include(me.permissions, "runs:start")

        const catalogue = yield* client.IndicatorsCatalogue()
        assert.deepStrictEqual(catalogue.indicators.map((i) => i.code).sort(), [
          "accelerated-payment",
          "minimal-dumping",
          "partnership",
          "sum-growth",
          "super-dumping"
        ])
        const superDumping = catalogue.indicators.find((i) => i.code === "super-dumping")
        assert.deepStrictEqual(superDumping?.parameters[0]?.default, 30)
        assert.deepStrictEqual(
          superDumping?.measures.map((m) => `${m.name}:${m.kind}`),
          ["plan_sum:decimal", "contract_sum:decimal", "reduction_pct:decimal"]
        )
        assert.deepStrictEqual(
          catalogue.commonFilters.map((f) => f.name),
          ["contractTypeIds", "yearTypeIds", "statusIds"]
        )

        // Keyset paging by id, within the analyst's region (Astana).
        const first = yield* client.ContractsSearch({ customerBin: CUSTOMER_71, limit: 2 })
        assert.deepStrictEqual(
          first.contracts.map((c) => c.id),
          [101, 102]
        )
        assert.strictEqual(first.nextAfterId, 102)
        const second = yield* client.ContractsSearch({
          customerBin: CUSTOMER_71,
          afterId: first.nextAfterId ?? undefined,
          limit: 2
        })
        assert.deepStrictEqual(
          second.contracts.map((c) => c.id),
          [103, 104]
        )
        assert.strictEqual(second.nextAfterId, null)
        const byNumber = yield* client.ContractsSearch({ number: "N-104" })
        assert.deepStrictEqual(
          byNumber.contracts.map((c) => c.id),
          [104]
        )

        const detail = yield* client.ContractsGet({ id: 103 as ContractId })
        assert.deepStrictEqual(
          detail.chain.map((c) => c.id),
          [CONTRACT_71, 103]
        )
        const sumChange = detail.diff.overall?.changes.find((c) => c.field === "contract_sum_wnds")
        assert.deepStrictEqual([sumChange?.from, sumChange?.to, sumChange?.deltaPct], ["600.00", "650.00", "8.3333"])

        const atLeast50 = yield* client.FindingsQuery({ measure: { name: "reduction_pct", min: "50" } })
        assert.deepStrictEqual(
          atLeast50.findings.map((f) => f.key),
          ["super-dumping:101"]
        )
        const exactly40 = yield* client.FindingsQuery({ measure: { name: "reduction_pct", min: "40", max: "40.0000" } })
        assert.deepStrictEqual(
          exactly40.findings.map((f) => f.key),
          ["super-dumping:102"]
        )
        const above40 = yield* client.FindingsQuery({ measure: { name: "reduction_pct", min: "40.0001" } })
        assert.deepStrictEqual(
          above40.findings.map((f) => f.key),
          ["super-dumping:101"]
        )

        const page1 = yield* client.FindingsQuery({ limit: 1 })
        assert.isNotNull(page1.nextKey)
        const page2 = yield* client.FindingsQuery({ limit: 10, afterKey: page1.nextKey ?? undefined })
        const all = [...page1.findings, ...page2.findings].map((f) => f.key)
        assert.deepStrictEqual(all, ["minimal-dumping:104", "super-dumping:101", "super-dumping:102"])

        const counts = yield* client.FindingsCounts({})
        assert.deepStrictEqual(counts.counts, [
          { indicator: "minimal-dumping", region: "71", count: 1 },
          { indicator: "super-dumping", region: "71", count: 2 }
        ])

        const exported = yield* client.FindingsExport({ indicators: ["super-dumping"] }).pipe(Stream.runCollect)
        assert.deepStrictEqual(
          exported.map((f: Finding) => f.key),
          ["super-dumping:101", "super-dumping:102"]
        )
      })
    )
  })

  it("starts an indicator run, returns at once, and reports its status until it succeeds", async () => {
    const { accessToken } = await loginRest(server.baseUrl, "analyst")
    const admin = await loginRest(server.baseUrl, "admin")
    const custom = { only: ["super-dumping"], indicators: { "super-dumping": { threshold: 45 } } }
    // Parameters other than the defaults are the admin's (runs:configure): the analyst is refused.
    await withClient(server.baseUrl, accessToken, (client) =>
      Effect.gen(function* () {
        const refused = yield* Effect.flip(client.RunsStart({ params: custom }))
        assert.strictEqual(refused._tag, "Forbidden")
        assert.strictEqual(refused._tag === "Forbidden" ? refused.permission : "", "runs:configure")
      })
    )
    const startedId = await withClient(server.baseUrl, admin.accessToken, (client) =>
      Effect.gen(function* () {
        const started = yield* client.RunsStart({ params: custom })
        assert.strictEqual(started.status, "queued")
        const done = yield* client.RunsGet({ id: started.id }).pipe(
          Effect.repeat({
            schedule: Schedule.spaced("20 millis"),
            until: (run) => run.status === "succeeded" || run.status === "failed"
          }),
          Effect.timeout("5 seconds")
        )
        assert.strictEqual(done.status, "succeeded")
        assert.deepStrictEqual(done.report?.indicators, ["super-dumping"])
        return started.id
      })
    )
    await withClient(server.baseUrl, accessToken, (client) =>
      Effect.gen(function* () {
        // Threshold 45: 101 (50 %) stays, 102 (40 %) goes; the regional view follows the new findings.
        const after = yield* client.FindingsQuery({ indicators: ["super-dumping"] })
        assert.deepStrictEqual(
          after.findings.map((f) => f.key),
          ["super-dumping:101"]
        )
        const listed = yield* client.RunsList({ limit: 1 })
        assert.strictEqual(listed.runs[0]?.id, startedId)
        // The analyst may restore the default findings (for the other tests too).
        const restore = yield* client.RunsStart({ params: {} })
        yield* client
          .RunsGet({ id: restore.id })
          .pipe(
            Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (run) => run.status === "succeeded" }),
            Effect.timeout("5 seconds")
          )
      })
    )
  })

  it("lets an admin manage users, with effect on the very next request", async () => {
    const admin = await loginRest(server.baseUrl, "admin")
    await withClient(server.baseUrl, admin.accessToken, (client) =>
      Effect.gen(function* () {
        const created = yield* client.UsersCreate({
          username: "new.analyst",
          password: Redacted.make("a brand new password"),
          roles: ["viewer"],
          regions: ["75"]
        })
        assert.deepStrictEqual([created.username, created.roles, created.regions], ["new.analyst", ["viewer"], ["75"]])
        const taken = yield* client
          .UsersCreate({
            username: "NEW.analyst",
            password: Redacted.make("another password!"),
            roles: ["viewer"],
            regions: []
          })
          .pipe(Effect.flip)
        assert.strictEqual(taken._tag, "Conflict")
        const listed = yield* client.UsersList({})
        assert.include(
          listed.users.map((u): string => u.username),
          "new.analyst"
        )
      })
    )
    const newcomer = await loginRest(server.baseUrl, "new.analyst", "a brand new password")
    const before = await rest<{ findings: ReadonlyArray<Finding> }>("/api/v1/findings", newcomer.accessToken)
    assert.isTrue(before.body.findings.every((f) => f.region === "75"))
    const forbidden = await rest("/api/v1/findings/export", newcomer.accessToken)
    assert.strictEqual(forbidden.status, 403)

    const userId = (await rest<{ user: { id: string } }>("/api/v1/auth/me", newcomer.accessToken)).body.user.id
    const promoted = await rest(`/api/v1/users/${userId}`, admin.accessToken, {
      method: "PATCH",
      body: JSON.stringify({ roles: ["analyst"], regions: ["71"] })
    })
    assert.strictEqual(promoted.status, 200)
    // Same token, new rights and regions: the principal is read per request.
    const after = await rest<{ findings: ReadonlyArray<Finding> }>("/api/v1/findings", newcomer.accessToken)
    assert.isTrue(after.body.findings.length > 0 && after.body.findings.every((f) => f.region === "71"))
    assert.strictEqual(
      (
        await fetch(`${server.baseUrl}/api/v1/findings/export`, {
          headers: { authorization: `Bearer ${newcomer.accessToken}` }
        })
      ).status,
      200
    )

    const disabled = await rest<{ disabled: boolean }>(`/api/v1/users/${userId}/disable`, admin.accessToken, {
      method: "POST"
    })
    assert.strictEqual(disabled.status, 200)
    assert.isTrue(disabled.body.disabled)
    assert.strictEqual((await rest("/api/v1/auth/me", newcomer.accessToken)).status, 401)
    const refresh = await fetch(`${server.baseUrl}/api/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: newcomer.refreshToken })
    })
    assert.strictEqual(refresh.status, 401)
    await loginRest(server.baseUrl, "new.analyst", "a brand new password").then(
      () => assert.fail("a disabled user logged in"),
      (error: Error) => assert.match(error.message, /401/u)
    )
  })

  it("refuses to disable or demote the last active admin", async () => {
    const admin = await loginRest(server.baseUrl, "admin")
    const self = await rest(`/api/v1/users/${server.users.admin.id}/disable`, admin.accessToken, { method: "POST" })
    assert.strictEqual(self.status, 409)
    const demote = await rest(`/api/v1/users/${server.users.admin.id}`, admin.accessToken, {
      method: "PATCH",
      body: JSON.stringify({ roles: ["viewer"] })
    })
    assert.strictEqual(demote.status, 409)
  })
})

describe("through REST with fetch", () => {
  it("serves findings with measure ranges, counts, NDJSON export, contracts and runs", async () => {
    const { accessToken } = await loginRest(server.baseUrl, "admin")
    const ranged = await rest<{ findings: ReadonlyArray<Finding> }>(
      "/api/v1/findings?indicators=super-dumping&measure=reduction_pct&measureMin=31&measureMax=40",
      accessToken
    )
    assert.strictEqual(ranged.status, 200)
    assert.deepStrictEqual(
      ranged.body.findings.map((f) => f.key),
      ["super-dumping:102", "super-dumping:202"]
    )

    const unknownRegion = await rest<{ findings: ReadonlyArray<Finding> }>(
      "/api/v1/findings?regions=unknown",
      accessToken
    )
    assert.deepStrictEqual(
      unknownRegion.body.findings.map((f) => f.key),
      ["super-dumping:301"]
    )

    const dated = await rest<{ findings: ReadonlyArray<Finding> }>(
      "/api/v1/findings?regions=71&dateFrom=2024-05-04&dateTo=2024-05-04T23:59:59%2B05:00",
      accessToken
    )
    assert.deepStrictEqual(
      dated.body.findings.map((f) => f.key),
      ["super-dumping:102"]
    )
    // A date alone as the end takes in the whole of that Almaty day.
    const sameDay = await rest<{ findings: ReadonlyArray<Finding> }>(
      "/api/v1/findings?regions=71&dateFrom=2024-05-04&dateTo=2024-05-04",
      accessToken
    )
    assert.deepStrictEqual(
      sameDay.body.findings.map((f) => f.key),
      ["super-dumping:102"]
    )

    const counts = await rest<{ counts: ReadonlyArray<{ indicator: string; region: string | null; count: number }> }>(
      "/api/v1/findings/counts?indicators=super-dumping",
      accessToken
    )
    assert.deepStrictEqual(counts.body.counts, [
      { indicator: "super-dumping", region: "71", count: 2 },
      { indicator: "super-dumping", region: "75", count: 2 },
      { indicator: "super-dumping", region: null, count: 1 }
    ])

    const exported = await fetch(`${server.baseUrl}/api/v1/findings/export?regions=75`, {
      headers: { authorization: `Bearer ${accessToken}` }
    })
    assert.strictEqual(exported.headers.get("content-type"), "application/x-ndjson")
    const lines = (await exported.text()).split("\n").filter((l) => l.length > 0)
    assert.deepStrictEqual(
      lines.map((l) => (JSON.parse(l) as Finding).key),
      ["super-dumping:201", "super-dumping:202"]
    )

    const contract = await rest<{ contract: { id: number }; chain: ReadonlyArray<{ id: number }> }>(
      `/api/v1/contracts/${CONTRACT_71}`,
      accessToken
    )
    assert.deepStrictEqual(
      contract.body.chain.map((c) => c.id),
      [102, 103]
    )
    const missing = await rest<{ status: number; resource: string }>("/api/v1/contracts/999999", accessToken)
    assert.deepStrictEqual([missing.status, missing.body.resource], [404, "contract"])

    const signed = await rest<{ contracts: ReadonlyArray<{ id: number }> }>(
      "/api/v1/contracts?signedFrom=2024-05-04&signedTo=2024-05-04%2023:59:59&limit=10",
      accessToken
    )
    assert.deepStrictEqual(
      signed.body.contracts.map((c) => c.id),
      [102, 202]
    )
    const signedThatDay = await rest<{ contracts: ReadonlyArray<{ id: number }> }>(
      "/api/v1/contracts?signedFrom=2024-05-04&signedTo=2024-05-04&limit=10",
      accessToken
    )
    assert.deepStrictEqual(
      signedThatDay.body.contracts.map((c) => c.id),
      [102, 202]
    )

    const started = await rest<{ id: number; status: string }>("/api/v1/runs", accessToken, {
      method: "POST",
      body: JSON.stringify({ params: {} })
    })
    assert.deepStrictEqual([started.status, started.body.status], [202, "queued"])
    let status = "queued"
    for (let i = 0; i < 100 && status !== "succeeded"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      status = (await rest<{ status: string }>(`/api/v1/runs/${started.body.id}`, accessToken)).body.status
    }
    assert.strictEqual(status, "succeeded")
  })
})

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and describes every REST route with its method, bearer security and error bodies", async () => {
    const response = await fetch(`${server.baseUrl}/openapi.json`)
    assert.strictEqual(response.status, 200)
    const spec = (await response.json()) as {
      openapi: string
      paths: Record<
        string,
        Record<
          string,
          {
            security?: Array<Record<string, unknown>>
            requestBody?: unknown
            responses: Record<string, { headers?: Record<string, unknown> }>
          }
        >
      >
      components: { securitySchemes?: Record<string, { scheme?: string }> }
    }
    assert.match(spec.openapi, /^3\.1\./u)
    const routes = restRoutes(AdalQarauApi)
    assert.isAbove(routes.length, 15)
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/gu, "{$1}")
      const operation = spec.paths[path]?.[route.method.toLowerCase()]
      assert.isDefined(operation, `${route.method} ${path} is missing from /openapi.json`)
      assert.property(operation?.responses, "400", `${route.method} ${path} documents no 400`)
      const isPublic = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"].includes(route.path)
      assert.strictEqual((operation?.security ?? []).length > 0, !isPublic, `${route.method} ${path} security`)
      // The edge's own answers: a body over the limit (413) or not JSON (415), and 401's WWW-Authenticate.
      if (operation?.requestBody !== undefined) assert.includeMembers(Object.keys(operation.responses), ["413", "415"])
      assert.strictEqual(
        operation?.responses["401"]?.headers?.["WWW-Authenticate"] !== undefined,
        !isPublic,
        `${path} 401 WWW-Authenticate`
      )
    }
    assert.strictEqual(Object.values(spec.components.securitySchemes ?? {})[0]?.scheme?.toLowerCase(), "bearer")
    assert.property(spec.paths["/api/v1/auth/login"]?.post?.responses, "429")
    // /auth/me needs no permission, so it never answers 403.
    assert.notProperty(spec.paths["/api/v1/auth/me"]?.get?.responses, "403")
    assert.property(spec.paths["/api/v1/users"]?.post?.responses, "403")
  })
})

describe("the server process", () => {
  it("logs JSON with request ids and drains in-flight requests on SIGTERM", async () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        PORT: "0",
        HOST: "127.0.0.1",
        ADALQARAU_ADMIN_USERNAME: "root",
        ADALQARAU_ADMIN_PASSWORD: "a process admin password",
        JWT_SECRET: "process-secret-process-secret-0123456789"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const lines: Array<Record<string, unknown>> = []
    let buffered = ""
    const listening = new Promise<string>((resolve, reject) => {
      child.on("exit", (code) => reject(new Error(`server exited early with ${code}`)))
      child.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString()
        const parts = buffered.split("\n")
        buffered = parts.pop() ?? ""
        for (const part of parts) {
          const line = JSON.parse(part) as Record<string, unknown>
          lines.push(line)
          const match = /Listening on (http:\/\/\S+)/u.exec(String(line.message))
          if (match?.[1] !== undefined) resolve(match[1])
        }
      })
    })
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const url = await listening

    // A login takes a scrypt verification (tens of milliseconds): long enough to be in flight at SIGTERM.
    const inFlight = fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "e2e-drain-1" },
      body: JSON.stringify({ username: "root", password: "a process admin password" })
    })
    let answeredAt = 0
    void inFlight.then(() => {
      answeredAt = Date.now()
    })
    await new Promise((resolve) => setTimeout(resolve, 15))
    const killedAt = Date.now()
    child.kill("SIGTERM")
    const response = await inFlight
    assert.isAbove(answeredAt, killedAt, "the request must still be in flight when SIGTERM arrives")
    assert.strictEqual(response.status, 200)
    assert.strictEqual(response.headers.get("x-request-id"), "e2e-drain-1")
    assert.isString(((await response.json()) as { accessToken: string }).accessToken)
    assert.strictEqual(await exited, 0)
    await fetch(`${url}/health/live`).then(
      () => assert.fail("the server still answers after shutdown"),
      () => undefined
    )

    const access = lines.find((l) => l.message === "http request")
    assert.deepInclude(access?.annotations as object, {
      requestId: "e2e-drain-1",
      status: 200,
      route: "/api/v1/auth/login"
    })
    assert.strictEqual(access?.level, "INFO")
    const login = lines.find((l) => l.message === "login")
    assert.strictEqual((login?.annotations as { requestId?: string } | undefined)?.requestId, "e2e-drain-1")
  })
})
