import { RefreshTokens } from "@adalqarau/core"
import { Duration, Effect, Layer } from "effect"
import { createHash, randomBytes, randomUUID } from "node:crypto"
import { AuthConfig } from "./AuthConfig.ts"

/** SHA-256 suffices for refresh tokens (unlike passwords): they carry 256 random bits, nothing to brute-force. */
const sha256 = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex")

export const makeRandomRefreshTokens = (ttl: Duration.Duration) =>
  RefreshTokens.of({
    generate: Effect.sync(() => {
      const token = randomBytes(32).toString("base64url")
      return { token, hash: sha256(token) }
    }),
    hash: (token) => Effect.sync(() => sha256(token)),
    newFamilyId: Effect.sync(() => randomUUID()),
    ttlMillis: Duration.toMillis(ttl)
  })

export const layerRandomRefreshTokens: Layer.Layer<RefreshTokens, never, AuthConfig> = Layer.effect(
  RefreshTokens,
  Effect.map(AuthConfig, (config) => makeRandomRefreshTokens(config.refreshTokenTtl))
)
