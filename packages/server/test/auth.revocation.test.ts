/**
 * What a password change does to the access tokens already out (they stop working at once, on both transports,
 * the verified-token cache notwithstanding), how it meets `iat`'s whole seconds, and the last active admin
 * surviving two admins disabling each other at once.
 */
import { Auth, type Principal, Users } from "@adalqarau/core"
import { layerMemorySessionStore, layerMemoryUserStore } from "@adalqarau/core/testing"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { AuthConfig } from "../src/auth/AuthConfig.ts"
import { layerAuth } from "../src/auth/layer.ts"
import { rpcOutcome } from "./rpcClient.ts"
import {
  FAST_SCRYPT,
  loginRest,
  PASSWORD,
  startTestServer,
  TEST_JWT_SECRET,
  type TestServer,
  type Tokens
} from "./serverFixtures.ts"

const NEW_PASSWORD = "a completely different passphrase"

const issuedAtOf = (token: string): number =>
  (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { iat: number }).iat

describe("a password change and iat's whole seconds", () => {
  const layer = Layer.mergeAll(layerMemoryUserStore, layerMemorySessionStore).pipe(
    Layer.provideMerge(
      layerAuth({ scrypt: FAST_SCRYPT }).pipe(
        Layer.provide(AuthConfig.layer({ jwtSecret: Option.some(Redacted.make(TEST_JWT_SECRET)) }))
      )
    )
  )
  const login = (password: string) =>
    Auth.login({ username: "aigerim", password: Redacted.make(password), clientAddress: "127.0.0.1" })
  const refusal = <A, E extends { readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.match(effect, { onSuccess: () => "accepted", onFailure: (error) => error.message })

  it.effect("refuses the token issued earlier in the second of the change, accepts the one issued after it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 2, 1, 9, 0, 0, 100))
      const admin = yield* Users.createUser({
        username: "root",
        password: Redacted.make(PASSWORD),
        roles: ["admin"],
        regions: []
      })
      const adminPrincipal: Principal = { userId: admin.id, username: admin.username, roles: ["admin"], regions: [] }
      yield* Users.createUser({
        username: "aigerim",
        password: Redacted.make(PASSWORD),
        roles: ["analyst"],
        regions: []
      })
      const before = yield* login(PASSWORD)
      // Verified once, so the signature check is remembered from here on.
      const user = (yield* Auth.authenticate(before.accessToken)).userId

      yield* TestClock.adjust("300 millis")
      yield* Users.updateUser(adminPrincipal, user, { password: Redacted.make(NEW_PASSWORD) })
      assert.strictEqual(yield* refusal(Auth.authenticate(before.accessToken)), "access token expired")

      yield* TestClock.adjust("300 millis")
      const after = yield* login(NEW_PASSWORD)
      assert.strictEqual(issuedAtOf(after.accessToken), issuedAtOf(before.accessToken), "both issued in one second")
      assert.strictEqual((yield* Auth.authenticate(after.accessToken)).userId, user)
      assert.strictEqual(yield* refusal(Auth.authenticate(before.accessToken)), "access token expired")
    }).pipe(Effect.provide(layer))
  )
})

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return {
    status: response.status,
    body: (text.length === 0 ? undefined : JSON.parse(text)) as Record<string, unknown>
  }
}

const createUser = async (admin: Tokens, username: string, roles: ReadonlyArray<string>): Promise<string> => {
  const created = await call("POST", "/api/v1/users", admin.accessToken, {
    username,
    password: PASSWORD,
    roles,
    regions: ["71"]
  })
  assert.strictEqual(created.status, 201)
  return String(created.body.id)
}

/** Both transports' answer to the token: the REST status and detail, and the RPC outcome. */
const answers = async (token: string) => {
  const rest = await call("GET", "/api/v1/auth/me", token)
  return {
    status: rest.status,
    detail: rest.status === 200 ? undefined : rest.body.detail,
    rpc: await rpcOutcome(server.baseUrl, token, (client) => client.Me())
  }
}

describe("through the server", () => {
  it("a password change refuses the user's access tokens at once, remembered or not, on both transports", async () => {
    const admin = await loginRest(server.baseUrl, "admin")
    const id = await createUser(admin, "changing", ["analyst"])
    const old = await loginRest(server.baseUrl, "changing")
    const unused = await loginRest(server.baseUrl, "changing")
    // Used once, so the server has verified and remembered it.
    assert.deepStrictEqual(await answers(old.accessToken), { status: 200, detail: undefined, rpc: "success" })

    const changed = await call("PATCH", `/api/v1/users/${id}`, admin.accessToken, { password: NEW_PASSWORD })
    assert.strictEqual(changed.status, 200)
    const refused = { status: 401, detail: "access token expired", rpc: "Unauthenticated" }
    assert.deepStrictEqual(await answers(old.accessToken), refused)
    assert.deepStrictEqual(await answers(unused.accessToken), refused)
    assert.strictEqual(
      (await call("POST", "/api/v1/auth/refresh", undefined, { refreshToken: old.refreshToken })).status,
      401
    )

    // Logging in right after, with the new password, works (most likely within the same second as the change).
    const fresh = await loginRest(server.baseUrl, "changing", NEW_PASSWORD)
    assert.deepStrictEqual(await answers(fresh.accessToken), { status: 200, detail: undefined, rpc: "success" })
    // The admin's own token is untouched.
    assert.strictEqual((await answers(admin.accessToken)).status, 200)
  })

  it("two admins disabling each other at once: one answers 409 and an admin remains", async () => {
    const first = await loginRest(server.baseUrl, "admin")
    const secondId = await createUser(first, "second.admin", ["admin"])
    const second = await loginRest(server.baseUrl, "second.admin")
    const firstId = server.users.admin.id
    // New passwords too: scrypt widened the window between the old check and the write.
    const results = await Promise.all([
      call("PATCH", `/api/v1/users/${secondId}`, first.accessToken, { disabled: true, password: NEW_PASSWORD }),
      call("PATCH", `/api/v1/users/${firstId}`, second.accessToken, { disabled: true, password: NEW_PASSWORD })
    ])
    // The loser answers 409 when both were past authentication when the winner committed, or 401 when it was
    // authenticated after that commit (its admin disabled by then); never do both succeed.
    const statuses = results.map((r) => r.status).sort()
    assert.oneOf(statuses.join(","), ["200,409", "200,401"])
    const conflict = results.find((r) => r.status === 409)
    if (conflict !== undefined) assert.match(String(conflict.body.detail), /last active admin/u)
    const survivor = results[0]?.status === 200 ? first : second
    const users = await call("GET", "/api/v1/users?limit=100", survivor.accessToken)
    assert.strictEqual(users.status, 200)
    const admins = (users.body.users as ReadonlyArray<{ roles: ReadonlyArray<string>; disabled: boolean }>).filter(
      (u) => u.roles.includes("admin") && !u.disabled
    )
    assert.strictEqual(admins.length, 1)
  })
})
