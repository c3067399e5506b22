import { Context, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { RpcClient, type RpcClientError, RpcSerialization } from "effect/rpc"
import { AdalQarauRpcs } from "./api/Rpcs.ts"

/**
 * The typed client of the AdalQarau server for TypeScript users (`@adalqarau/server/client`): every operation as
 * an `effect/rpc` procedure over HTTP, ndjson, with streaming for exports. Nothing here pulls in server code.
 *
 * ```ts
 * const program = Effect.gen(function* () {
 *   const client = yield* AdalQarauClient
 *   const tokens = yield* client.Login({ username: "analyst", password: Redacted.make(secret) })
 *   token = tokens.accessToken
 *   const page = yield* client.FindingsQuery({ indicators: ["super-dumping"], measure: { name: "reduction_pct", min: "50" } })
 *   yield* client.FindingsExport({}).pipe(Stream.runForEach((finding) => Console.log(finding.key)))
 * }).pipe(Effect.provide(AdalQarauClient.layer({ url: "http://localhost:8080", accessToken: () => token })))
 * ```
 */
export class AdalQarauClient extends Context.Service<
  AdalQarauClient,
  RpcClient.FromGroup<typeof AdalQarauRpcs, RpcClientError.RpcClientError>
>()("@adalqarau/server/AdalQarauClient") {
  /**
   * A client of the server at `url` (its base URL; procedures are posted to `<url>/rpc`). `accessToken` is asked
   * before every call, so a token obtained by `Login` or `Refresh` is picked up as soon as it is stored.
   */
  static readonly layer = (options: {
    readonly url: string
    readonly accessToken?: () => string | undefined
  }): Layer.Layer<AdalQarauClient> =>
    Layer.effect(AdalQarauClient, RpcClient.make(AdalQarauRpcs)).pipe(
      Layer.provide(
        RpcClient.layerProtocolHttp({
          url: `${options.url.replace(/\/+$/u, "")}/rpc`,
          transformClient: HttpClient.mapRequest((request) => {
            const token = options.accessToken?.()
            return token === undefined ? request : HttpClientRequest.bearerToken(request, token)
          })
        })
      ),
      Layer.provide([RpcSerialization.layerNdjson, FetchHttpClient.layer])
    )
}

export { AdalQarauApi } from "./api/HttpApi.ts"
export * from "./api/inputs.ts"
export { OPERATIONS, type Operation } from "./api/operations.ts"
export * from "./api/problems.ts"
export { AdalQarauRpcs, ProtectedRpcs, PublicRpcs } from "./api/Rpcs.ts"
export { HttpAuthentication, RpcAuthentication } from "./api/security.ts"
