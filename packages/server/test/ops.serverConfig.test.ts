import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { ServerConfig } from "../src/ops/ServerConfig.ts"

const settingsOf = (env: Record<string, string>) => ServerConfig.fromEnv.parse(ConfigProvider.fromEnv({ env }))

describe("ServerConfig", () => {
  it.effect("reads TRUSTED_PROXIES addresses as the networks of one address, beside CIDRs", () =>
    Effect.gen(function* () {
      const settings = yield* settingsOf({ TRUSTED_PROXIES: "127.0.0.1, ::1, 10.0.0.0/8" })
      assert.deepStrictEqual(settings.trustedProxies, ["127.0.0.1/32", "::1/128", "10.0.0.0/8"])
      const bad = yield* Effect.flip(settingsOf({ TRUSTED_PROXIES: "127.0.0.1, proxy.local" }))
      assert.include(String(bad), '"proxy.local" is not an IP address or network')
    })
  )
})
