import { CreateUserInput, LoginThrottle, PasswordHasher, type Username, UserStore, Users } from "@adalqarau/core"
import { layerMemorySessionStore, layerMemoryUserStore } from "@adalqarau/core/testing"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Logger, Option, Redacted, References, Schema } from "effect"
import { bootstrapAdminFromEnv } from "../src/auth/bootstrapAdmin.ts"
import { AuthConfig } from "../src/auth/AuthConfig.ts"
import { AttemptWindows, layerMemoryLoginThrottle } from "../src/auth/MemoryLoginThrottle.ts"
import { layerScryptPasswordHasher } from "../src/auth/ScryptPasswordHasher.ts"
import { rpcOutcome } from "./rpcClient.ts"
import { PASSWORD, startTestServer, type TestServer } from "./serverFixtures.ts"

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ auth: { loginMaxFailuresPerUser: 3, loginMaxFailuresPerAddress: 8 } })
})
afterAll(() => server.close())

const login = (username: string, password: string) =>
  fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password })
  })

describe("login", () => {
  it("answers unknown users and wrong passwords alike", async () => {
    const unknown = await login("nobody-here", "whatever-password")
    const wrong = await login("viewer", "not the password at all")
    assert.strictEqual(unknown.status, 401)
    assert.strictEqual(wrong.status, 401)
    assert.deepStrictEqual(await unknown.json(), await wrong.json())
  })

  it("is case- and space-insensitive about the username", async () => {
    const response = await login("  Viewer ", PASSWORD)
    assert.strictEqual(response.status, 200)
  })

  it("limits failures per username: 429 with Retry-After, even for the right password", async () => {
    for (let i = 0; i < 3; i++) assert.strictEqual((await login("analyst", `wrong password ${i}`)).status, 401)
    const blocked = await login("analyst", PASSWORD)
    assert.strictEqual(blocked.status, 429)
    const retryAfter = Number(blocked.headers.get("retry-after"))
    assert.isAbove(retryAfter, 0)
    assert.isAtMost(retryAfter, 15 * 60)
    const body = (await blocked.json()) as { status: number; retryAfterSeconds: number }
    assert.strictEqual(body.status, 429)
    assert.strictEqual(body.retryAfterSeconds, retryAfter)
    // Over RPC the same limit answers TooManyAttempts.
    assert.strictEqual(
      await rpcOutcome(server.baseUrl, undefined, (c) =>
        c.Login({ username: "analyst", password: Redacted.make(PASSWORD) })
      ),
      "TooManyAttempts"
    )
  })

  it("limits failures per client address across usernames and transports, whatever X-Forwarded-For says", async () => {
    // 5 failures above (2 in the first test, 3 on "analyst"), 3 here: the address limit is 8. No proxy is trusted,
    // so the forwarded address is ignored; RPC calls count against the same address as REST ones.
    for (let i = 0; i < 1; i++) {
      const response = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `10.0.0.${i}` },
        body: JSON.stringify({ username: `someone-${i}`, password: "wrong password here" })
      })
      assert.strictEqual(response.status, 401)
    }
    for (let i = 0; i < 2; i++) {
      const outcome = await rpcOutcome(server.baseUrl, undefined, (c) =>
        c.Login({ username: `rpc-someone-${i}`, password: Redacted.make("wrong password here") })
      )
      assert.strictEqual(outcome, "Unauthenticated")
    }
    const blocked = await login("admin", PASSWORD)
    assert.strictEqual(blocked.status, 429)
    assert.isNotNull(blocked.headers.get("retry-after"))
  })
})

describe("AttemptWindows", () => {
  it("blocks at the limit, unblocks as attempts leave the window, and refunds successes", () => {
    const windows = new AttemptWindows(1000)
    windows.record("k", 0)
    windows.record("k", 100)
    assert.strictEqual(windows.blockedFor("k", 3, 200), 0)
    windows.record("k", 200)
    assert.strictEqual(windows.blockedFor("k", 3, 300), 700)
    assert.strictEqual(windows.blockedFor("k", 3, 1000), 0)
    windows.refund("k")
    assert.strictEqual(windows.blockedFor("k", 2, 1050), 0)
    windows.clear("k")
    assert.strictEqual(windows.size, 0)
  })
})

const UsersInMemory = Layer.mergeAll(layerMemoryUserStore, layerMemorySessionStore, layerScryptPasswordHasher())

describe("passwords", () => {
  it.effect("are scrypt hashes with N = 2^15, r = 8, p = 1, salted and verified", () =>
    Effect.gen(function* () {
      const hasher = yield* PasswordHasher
      const a = yield* hasher.hash(Redacted.make("a long enough password"))
      const b = yield* hasher.hash(Redacted.make("a long enough password"))
      assert.match(a, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/u)
      assert.notStrictEqual(a, b)
      assert.isTrue(yield* hasher.verify(Redacted.make("a long enough password"), a))
      assert.isFalse(yield* hasher.verify(Redacted.make("a long enough passwore"), a))
      assert.isFalse(yield* hasher.verify(Redacted.make("a long enough password"), "plain-text"))
    }).pipe(Effect.provide(UsersInMemory))
  )

  it.effect("are checked for length by the request schema, and stored only as a hash", () =>
    Effect.gen(function* () {
      const short = Schema.decodeUnknownExit(CreateUserInput)({
        username: "shorty",
        password: "short",
        roles: ["viewer"],
        regions: []
      })
      assert.isTrue(Exit.isFailure(short))
      const created = yield* Users.createUser({
        username: "longer",
        password: Redacted.make("a long enough password"),
        roles: ["viewer"],
        regions: []
      })
      const stored = Option.getOrThrow(yield* (yield* UserStore).findById(created.id))
      assert.notInclude(stored.passwordHash, "a long enough password")
      assert.isFalse("passwordHash" in created)
    }).pipe(Effect.provide(UsersInMemory))
  )
})

describe("first admin", () => {
  const env = (vars: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env: vars }))

  it.effect("comes from ADALQARAU_ADMIN_USERNAME and ADALQARAU_ADMIN_PASSWORD when no admin exists", () =>
    Effect.gen(function* () {
      yield* bootstrapAdminFromEnv()
      const users = yield* UserStore
      assert.strictEqual(yield* users.countActiveAdmins, 1)
      const admin = yield* users.findByUsername("root-admin" as Username)
      assert.isTrue(Option.isSome(admin))
      assert.deepStrictEqual(Option.getOrThrow(admin).roles, ["admin"])
      // A second start with other credentials changes nothing.
      yield* bootstrapAdminFromEnv().pipe(
        Effect.provide(env({ ADALQARAU_ADMIN_USERNAME: "other", ADALQARAU_ADMIN_PASSWORD: "another long password" }))
      )
      assert.strictEqual(yield* users.countActiveAdmins, 1)
      assert.isTrue(Option.isNone(yield* users.findByUsername("other" as Username)))
    }).pipe(
      Effect.provide(env({ ADALQARAU_ADMIN_USERNAME: "Root-Admin", ADALQARAU_ADMIN_PASSWORD: "a very long password" })),
      Effect.provide(UsersInMemory)
    )
  )

  it.effect("does nothing without the variables, and refuses half of them or a weak password", () =>
    Effect.gen(function* () {
      yield* bootstrapAdminFromEnv().pipe(Effect.provide(env({})))
      assert.strictEqual(yield* (yield* UserStore).countActiveAdmins, 0)
      const half = yield* Effect.flip(
        bootstrapAdminFromEnv().pipe(Effect.provide(env({ ADALQARAU_ADMIN_USERNAME: "x" })))
      )
      assert.match(half.message, /both/u)
      const weak = yield* Effect.flip(
        bootstrapAdminFromEnv().pipe(
          Effect.provide(env({ ADALQARAU_ADMIN_USERNAME: "root", ADALQARAU_ADMIN_PASSWORD: "short" }))
        )
      )
      assert.match(weak.message, /at least 12 characters/u)
    }).pipe(Effect.provide(UsersInMemory))
  )
})

describe("the login throttle's log", () => {
  it.effect(
    "names a valid username, and nothing of a username that is not one (no line breaks, escapes or passwords)",
    () =>
      Effect.gen(function* () {
        const logged: Array<unknown> = []
        const throttle = yield* LoginThrottle.pipe(
          Effect.provide(layerMemoryLoginThrottle),
          Effect.provide(AuthConfig.layer({ loginMaxFailuresPerUser: 1, loginMaxFailuresPerAddress: 100 }))
        )
        const attemptTwice = (username: string) =>
          Effect.gen(function* () {
            const attempt = { username, clientAddress: "203.0.113.9" }
            yield* throttle.reserve(attempt)
            yield* Effect.flip(throttle.reserve(attempt))
          })
        yield* Effect.all([
          attemptTwice("bolat"),
          attemptTwice('zed\n[INFO] login {"userId":"forged"}\r\u001b[2K')
        ]).pipe(
          Effect.provide(
            Logger.layer([
              Logger.make((options) => logged.push(options.fiber.getRef(References.CurrentLogAnnotations).username))
            ])
          )
        )
        assert.deepStrictEqual(logged, ["bolat", "(not a username)"])
      })
  )
})
