import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { SessionStore } from "@adalqarau/core"
import { Effect, Option } from "effect"
import { SignJWT } from "jose"
import { createHash } from "node:crypto"
import { loginRest, startTestServer, TEST_JWT_SECRET, type TestServer, type Tokens } from "./serverFixtures.ts"
import { rpcOutcome } from "./rpcClient.ts"

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const key = new TextEncoder().encode(TEST_JWT_SECRET)
const nowSeconds = () => Math.floor(Date.now() / 1000)
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url")

const claims = (sub: string, overrides: Record<string, unknown> = {}) => ({
  sub,
  iss: "adalqarau",
  aud: "adalqarau-api",
  iat: nowSeconds(),
  exp: nowSeconds() + 600,
  ...overrides
})

const sign = (payload: Record<string, unknown>, secret: Uint8Array = key, alg = "HS256") =>
  new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(secret)

const me = (token: string) =>
  fetch(`${server.baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })

/** Asserts both transports refuse the token with 401 / Unauthenticated, and returns the REST problem detail. */
const refusedEverywhere = async (token: string): Promise<string> => {
  const response = await me(token)
  assert.strictEqual(response.status, 401)
  assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer /u)
  const detail = ((await response.json()) as { detail: string }).detail
  assert.strictEqual(await rpcOutcome(server.baseUrl, token, (client) => client.Me()), "Unauthenticated")
  return detail
}

describe("access tokens", () => {
  it("accepts a well-formed token signed with the server's key (the control case)", async () => {
    const token = await sign(claims(server.users.viewer.id))
    assert.strictEqual((await me(token)).status, 200)
    assert.strictEqual(await rpcOutcome(server.baseUrl, token, (client) => client.Me()), "success")
  })

  it("refuses an expired token", async () => {
    const token = await sign(claims(server.users.viewer.id, { iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }))
    assert.strictEqual(await refusedEverywhere(token), "access token expired")
  })

  it("refuses a tampered token (payload changed, signature kept)", async () => {
    const token = await sign(claims(server.users.viewer.id))
    const [header, , signature] = token.split(".")
    const forged = `${header}.${b64url(claims(server.users.admin.id))}.${signature}`
    assert.strictEqual(await refusedEverywhere(forged), "invalid access token")
  })

  it("refuses alg: none", async () => {
    const unsigned = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims(server.users.admin.id))}.`
    assert.strictEqual(await refusedEverywhere(unsigned), "invalid access token")
  })

  it("refuses a token signed with another key", async () => {
    const token = await sign(
      claims(server.users.admin.id),
      new TextEncoder().encode("another-secret-another-secret-another-1")
    )
    assert.strictEqual(await refusedEverywhere(token), "invalid access token")
  })

  it("refuses another HMAC algorithm even with the right key (the algorithm is pinned)", async () => {
    const token = await sign(claims(server.users.admin.id), key, "HS512")
    assert.strictEqual(await refusedEverywhere(token), "invalid access token")
  })

  it("refuses a token for another issuer or audience", async () => {
    assert.strictEqual(
      await refusedEverywhere(await sign(claims(server.users.admin.id, { iss: "elsewhere" }))),
      "invalid access token"
    )
    assert.strictEqual(
      await refusedEverywhere(await sign(claims(server.users.admin.id, { aud: "elsewhere" }))),
      "invalid access token"
    )
  })

  it("refuses garbage and a missing token", async () => {
    await refusedEverywhere("not.a.jwt")
    const missing = await fetch(`${server.baseUrl}/api/v1/auth/me`)
    assert.strictEqual(missing.status, 401)
    assert.strictEqual(await rpcOutcome(server.baseUrl, undefined, (client) => client.Me()), "Unauthenticated")
  })

  it("challenges without an error code when no token was sent, with invalid_token when one fails (RFC 6750 §3.1)", async () => {
    const missing = await fetch(`${server.baseUrl}/api/v1/auth/me`)
    assert.strictEqual(missing.status, 401)
    assert.strictEqual(missing.headers.get("www-authenticate"), `Bearer realm="adalqarau"`)
    const expired = await me(
      await sign(claims(server.users.viewer.id, { iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }))
    )
    assert.strictEqual(expired.status, 401)
    assert.strictEqual(
      expired.headers.get("www-authenticate"),
      `Bearer realm="adalqarau", error="invalid_token", error_description="access token expired"`
    )
    const garbage = await me("not.a.jwt")
    assert.match(garbage.headers.get("www-authenticate") ?? "", /^Bearer realm="adalqarau", error="invalid_token"/u)
  })

  it("issues tokens with a 15-minute lifetime by default", async () => {
    const tokens = (await loginRest(server.baseUrl, "viewer")) as Tokens & { expiresIn: number }
    assert.strictEqual(tokens.expiresIn, 900)
    const payload = JSON.parse(Buffer.from(tokens.accessToken.split(".")[1] ?? "", "base64url").toString()) as {
      exp: number
      iat: number
    }
    assert.strictEqual(payload.exp - payload.iat, 900)
    const header = JSON.parse(Buffer.from(tokens.accessToken.split(".")[0] ?? "", "base64url").toString()) as {
      alg: string
    }
    assert.strictEqual(header.alg, "HS256")
  })
})

const postJson = (path: string, body: unknown) =>
  fetch(`${server.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body)
  })

const refresh = (refreshToken: string) => postJson("/api/v1/auth/refresh", { refreshToken })

describe("refresh tokens", () => {
  it("rotates on every use, and reuse of a rotated token revokes the whole family", async () => {
    const first = await loginRest(server.baseUrl, "analyst")
    const rotated = await refresh(first.refreshToken)
    assert.strictEqual(rotated.status, 200)
    const second = (await rotated.json()) as Tokens
    assert.notStrictEqual(second.refreshToken, first.refreshToken)
    assert.strictEqual((await me(second.accessToken)).status, 200)

    // The first token is presented again: someone copied it. Everything of that login dies.
    const reuse = await refresh(first.refreshToken)
    assert.strictEqual(reuse.status, 401)
    assert.match(((await reuse.json()) as { detail: string }).detail, /already used/u)
    const successor = await refresh(second.refreshToken)
    assert.strictEqual(successor.status, 401)
    assert.match(((await successor.json()) as { detail: string }).detail, /revoked/u)
  })

  it("leaves other logins of the same user alone when one family is revoked", async () => {
    const a = await loginRest(server.baseUrl, "analyst")
    const b = await loginRest(server.baseUrl, "analyst")
    await refresh(a.refreshToken)
    assert.strictEqual((await refresh(a.refreshToken)).status, 401)
    assert.strictEqual((await refresh(b.refreshToken)).status, 200)
  })

  it("detects reuse over RPC too", async () => {
    const first = await loginRest(server.baseUrl, "viewer")
    assert.strictEqual(
      await rpcOutcome(server.baseUrl, undefined, (c) => c.Refresh({ refreshToken: first.refreshToken })),
      "success"
    )
    assert.strictEqual(
      await rpcOutcome(server.baseUrl, undefined, (c) => c.Refresh({ refreshToken: first.refreshToken })),
      "Unauthenticated"
    )
  })

  it("stores refresh tokens hashed, never as given", async () => {
    const tokens = await loginRest(server.baseUrl, "viewer")
    const byToken = await server.run(Effect.flatMap(SessionStore, (s) => s.find(tokens.refreshToken)))
    assert.isTrue(Option.isNone(byToken))
    const hash = createHash("sha256").update(tokens.refreshToken).digest("hex")
    const byHash = await server.run(Effect.flatMap(SessionStore, (s) => s.find(hash)))
    assert.isTrue(Option.isSome(byHash))
  })

  it("refuses unknown refresh tokens", async () => {
    assert.strictEqual((await refresh("made-up")).status, 401)
  })

  it("logout revokes the session", async () => {
    const tokens = await loginRest(server.baseUrl, "viewer")
    const logout = await postJson("/api/v1/auth/logout", { refreshToken: tokens.refreshToken })
    assert.strictEqual(logout.status, 204)
    assert.strictEqual((await refresh(tokens.refreshToken)).status, 401)
    // Idempotent, and silent about tokens it does not know.
    assert.strictEqual((await postJson("/api/v1/auth/logout", { refreshToken: tokens.refreshToken })).status, 204)
    assert.strictEqual((await postJson("/api/v1/auth/logout", { refreshToken: "made-up" })).status, 204)
  })
})
