import type { AccessTokens, LoginThrottle, PasswordHasher, RefreshTokens } from "@adalqarau/core"
import { Layer } from "effect"
import { AuthConfig } from "./AuthConfig.ts"
import { layerJwtAccessTokens } from "./JwtAccessTokens.ts"
import { layerMemoryLoginThrottle } from "./MemoryLoginThrottle.ts"
import { layerRandomRefreshTokens } from "./RandomRefreshTokens.ts"
import { layerScryptPasswordHasher, type ScryptParams } from "./ScryptPasswordHasher.ts"

export type AuthServices = PasswordHasher | AccessTokens | RefreshTokens | LoginThrottle

/** Every credential service the auth use cases need, configured by `AuthConfig`. */
export const layerAuth = (
  options: { readonly scrypt?: ScryptParams } = {}
): Layer.Layer<AuthServices, Error, AuthConfig> =>
  Layer.mergeAll(
    layerScryptPasswordHasher(options.scrypt),
    layerJwtAccessTokens,
    layerRandomRefreshTokens,
    layerMemoryLoginThrottle
  )

/** `layerAuth` configured from the environment. */
export const layerAuthFromEnv: Layer.Layer<AuthServices | AuthConfig, Error> = layerAuth().pipe(
  Layer.provideMerge(AuthConfig.layerEnv)
)
