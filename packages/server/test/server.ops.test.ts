import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { loginRest, PASSWORD, startTestServer, type TestServer } from "./serverFixtures.ts"

let server: TestServer
let adminToken: string

beforeAll(async () => {
  server = await startTestServer({ server: { corsOrigins: ["https://analytics.example"], bodyLimitBytes: 4096 } })
  adminToken = (await loginRest(server.baseUrl, "admin")).accessToken
})
afterAll(() => server.close())

const get = (path: string, init: RequestInit = {}) => fetch(`${server.baseUrl}${path}`, init)

describe("operations endpoints", () => {
  it("answers liveness and readiness", async () => {
    const live = await get("/health/live")
    assert.strictEqual(live.status, 200)
    assert.deepStrictEqual(await live.json(), { status: "live" })
    const ready = await get("/health/ready")
    assert.strictEqual(ready.status, 200)
    const body = (await ready.json()) as { status: string; checks: Record<string, string> }
    assert.strictEqual(body.status, "ready")
    assert.deepStrictEqual(Object.keys(body.checks).sort(), ["contracts", "findings", "runs", "sessions", "users"])
  })

  it("echoes a client's request id and generates one otherwise", async () => {
    const given = await get("/health/live", { headers: { "x-request-id": "abc-123" } })
    assert.strictEqual(given.headers.get("x-request-id"), "abc-123")
    const generated = await get("/health/live")
    assert.match(generated.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/u)
    const bogus = await get("/health/live", { headers: { "x-request-id": "has spaces and <tags>" } })
    assert.notStrictEqual(bogus.headers.get("x-request-id"), "has spaces and <tags>")
  })

  it("serves Prometheus metrics with request counts by route and process metrics", async () => {
    await get("/api/v1/contracts/101", { headers: { authorization: `Bearer ${adminToken}` } })
    const response = await get("/metrics")
    assert.strictEqual(response.status, 200)
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/u)
    const text = await response.text()
    assert.match(text, /http_requests_total\{[^}]*route="\/api\/v1\/contracts\/:id"[^}]*\} \d+/u)
    assert.match(text, /http_request_duration_seconds_bucket\{/u)
    assert.match(text, /process_resident_memory_bytes \d+/u)
    assert.notMatch(text, /route="\/api\/v1\/contracts\/101"/u)
  })

  it("refuses bodies over the limit with 413 before reading them", async () => {
    const response = await get("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "x".repeat(5000) })
    })
    assert.strictEqual(response.status, 413)
    const body = (await response.json()) as { status: number; detail: string }
    assert.strictEqual(body.status, 413)
    assert.match(body.detail, /4096 bytes/u)
    assert.isNotNull(response.headers.get("x-request-id"))
  })

  it("cuts bodies sent without Content-Length at the same limit", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ username: "admin", password: "x".repeat(5000) }))
    const chunked = (bytes: Uint8Array) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000))
          controller.close()
        }
      })
    const rest = await get("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunked(big),
      duplex: "half"
    } as RequestInit)
    assert.strictEqual(rest.status, 413)
    const rpc = await get("/rpc", {
      method: "POST",
      headers: { "content-type": "application/ndjson" },
      body: chunked(big),
      duplex: "half"
    } as RequestInit)
    assert.strictEqual(rpc.status, 413)
  })

  it("answers an RPC request of more than 50 calls with 413 before running any; 50 run", async () => {
    const calls = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({ _tag: "Request", id: String(i), tag: "Me", payload: null, headers: [] })
      ).join("\n")
    const post = (body: string) =>
      get("/rpc", {
        method: "POST",
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/ndjson" },
        body
      })
    const fifty = await post(`${calls(50)}\n\n`)
    assert.strictEqual(fifty.status, 200)
    const frames = (await fifty.text()).split("\n").filter((line) => line !== "")
    assert.strictEqual(frames.filter((line) => (JSON.parse(line) as { _tag: string })._tag === "Exit").length, 50)
    const tooMany = await post(calls(51))
    assert.strictEqual(tooMany.status, 413)
    assert.strictEqual(tooMany.headers.get("content-type"), "application/problem+json")
    assert.match(((await tooMany.json()) as { detail: string }).detail, /at most 50 calls/u)
  })

  it("keeps tokens and data out of caches and forbids MIME sniffing", async () => {
    const json = { "content-type": "application/json" }
    const auth = { authorization: `Bearer ${adminToken}` }
    const answers = {
      login: await get("/api/v1/auth/login", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ username: "admin", password: PASSWORD })
      }),
      findings: await get("/api/v1/findings", { headers: auth }),
      export: await get("/api/v1/findings/export", { headers: auth }),
      unauthenticated: await get("/api/v1/findings"),
      rpc: await get("/rpc", {
        method: "POST",
        headers: { ...auth, "content-type": "application/ndjson" },
        body: `${JSON.stringify({ _tag: "Request", id: "1", tag: "Me", payload: null, headers: [] })}\n`
      }),
      tooLarge: await get("/api/v1/auth/login", { method: "POST", headers: json, body: "x".repeat(5000) }),
      unknownRoute: await get("/api/v1/nope"),
      health: await get("/health/live")
    }
    for (const [name, response] of Object.entries(answers)) {
      await response.arrayBuffer()
      assert.strictEqual(response.headers.get("cache-control"), "no-store", name)
      assert.strictEqual(response.headers.get("x-content-type-options"), "nosniff", name)
    }
    // The API's description is the same for everyone and holds no data: caches may keep it.
    for (const path of ["/openapi.json", "/docs"]) {
      const response = await get(path)
      await response.arrayBuffer()
      assert.isNull(response.headers.get("cache-control"), path)
      assert.strictEqual(response.headers.get("x-content-type-options"), "nosniff", path)
    }
  })

  it("applies CORS from configuration", async () => {
    const preflight = await get("/api/v1/findings", {
      method: "OPTIONS",
      headers: {
        origin: "https://analytics.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization"
      }
    })
    assert.strictEqual(preflight.headers.get("access-control-allow-origin"), "https://analytics.example")
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/u)
    const simple = await get("/health/live", { headers: { origin: "https://analytics.example" } })
    assert.strictEqual(simple.headers.get("access-control-allow-origin"), "https://analytics.example")
  })

  it("names no origin to an origin it does not allow", async () => {
    const preflight = await get("/api/v1/findings", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" }
    })
    assert.isNull(preflight.headers.get("access-control-allow-origin"))
    const simple = await get("/health/live", { headers: { origin: "https://evil.example" } })
    assert.strictEqual(simple.status, 200)
    assert.isNull(simple.headers.get("access-control-allow-origin"))
  })

  it("allows in a preflight exactly the methods some route serves", async () => {
    const preflight = await get("/api/v1/runs", {
      method: "OPTIONS",
      headers: { origin: "https://analytics.example", "access-control-request-method": "POST" }
    })
    const methods = (preflight.headers.get("access-control-allow-methods") ?? "").split(/,\s*/u).sort()
    assert.deepStrictEqual(methods, ["GET", "HEAD", "PATCH", "POST"])
  })

  it("serves Swagger UI without external assets and redirects / to it", async () => {
    const docs = await get("/docs")
    assert.strictEqual(docs.status, 200)
    const html = await docs.text()
    assert.match(html, /swagger/iu)
    assert.notMatch(html, /<script[^>]+src="https?:\/\//u)
    assert.notMatch(html, /<link[^>]+href="https?:\/\//u)
    const root = await get("/", { redirect: "manual" })
    assert.strictEqual(root.status, 302)
    assert.strictEqual(root.headers.get("location"), "/docs")
  })
})

describe("validation errors", () => {
  const auth = () => ({ authorization: `Bearer ${adminToken}` })

  it("answers a bad path parameter with 400 naming the field and why", async () => {
    const response = await get("/api/v1/contracts/abc", { headers: auth() })
    assert.strictEqual(response.status, 400)
    assert.strictEqual(response.headers.get("content-type"), "application/problem+json")
    const body = (await response.json()) as { errors: Array<{ path: Array<string>; message: string }> }
    assert.deepStrictEqual(body.errors[0]?.path, ["params", "id"])
    assert.isAbove(body.errors[0]?.message.length ?? 0, 0)
  })

  it("answers a bad query parameter and a bad body alike", async () => {
    const query = await get("/api/v1/findings?customerBin=123&limit=0", { headers: auth() })
    assert.strictEqual(query.status, 400)
    const queryBody = (await query.json()) as { errors: Array<{ path: Array<string>; message: string }> }
    const paths = queryBody.errors.map((e) => e.path.join("."))
    assert.include(paths.join(" "), "query.customerBin")
    assert.match(JSON.stringify(queryBody.errors), /12 digits/u)

    const body = await get("/api/v1/users", {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ username: "someone", password: "short", roles: [], regions: ["99"] })
    })
    assert.strictEqual(body.status, 400)
    const text = await body.text()
    assert.match(text, /password must have at least 12 characters/u)
  })

  it("answers a measure bound without its name with 400", async () => {
    const response = await get("/api/v1/findings?measureMin=50", { headers: auth() })
    assert.strictEqual(response.status, 400)
    const body = (await response.json()) as { errors: Array<{ path: Array<string>; message: string }> }
    assert.deepStrictEqual(body.errors[0]?.path, ["query", "measure"])
  })

  it("answers unknown run parameters with 400 and their path", async () => {
    const response = await get("/api/v1/runs", {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ params: { indicators: { "no-such-indicator": {} } } })
    })
    assert.strictEqual(response.status, 400)
    const body = (await response.json()) as { errors: Array<{ path: Array<string>; message: string }> }
    // From the request part, as a schema error's path is.
    assert.deepStrictEqual(body.errors[0]?.path, ["payload", "params", "indicators", "no-such-indicator"])
    assert.match(body.errors[0]?.message ?? "", /unknown indicator/u)
  })

  it("never answers 400 with an empty body", async () => {
    const response = await get("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json"
    })
    assert.strictEqual(response.status, 400)
    assert.isAbove((await response.text()).length, 0)
  })
})
