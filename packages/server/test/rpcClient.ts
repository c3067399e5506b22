/** Helpers to call the server through the exported typed RPC client from plain async tests. */
import { Effect } from "effect"
import { AdalQarauClient } from "../src/client.ts"

export const withClient = <A, E>(
  baseUrl: string,
  accessToken: string | undefined,
  use: (client: AdalQarauClient["Service"]) => Effect.Effect<A, E>
): Promise<A> =>
  Effect.runPromise(
    Effect.flatMap(AdalQarauClient, use).pipe(
      Effect.provide(AdalQarauClient.layer({ url: baseUrl, accessToken: () => accessToken }))
    )
  )

/** The error tag an RPC call failed with, or "success". */
export const rpcOutcome = <A, E extends { readonly _tag: string }>(
  baseUrl: string,
  accessToken: string | undefined,
  call: (client: AdalQarauClient["Service"]) => Effect.Effect<A, E>
): Promise<string> =>
  withClient(baseUrl, accessToken, (client) =>
    call(client).pipe(Effect.match({ onSuccess: () => "success", onFailure: (error) => error._tag }))
  )
