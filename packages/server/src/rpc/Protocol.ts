import { Forbidden, type Principal, requirePermission, Unauthenticated, Unavailable } from "@adalqarau/core"
import { Context, Effect, Exit, Layer, Option, Schema } from "effect"
import { Headers, type HttpRouter } from "effect/http"
import { type Rpc, type RpcMessage, type RpcSerialization, RpcServer } from "effect/rpc"
import { RequiredPermission, RpcAuthentication } from "../api/security.ts"
import { recordRpcCall } from "../ops/HttpMetrics.ts"
import { AuthenticatedBeforeDecoding, type AuthenticationServices, authenticateCall } from "./Authentication.ts"

type Refusal = Unauthenticated | Forbidden | Unavailable

/**
 * The call's headers as the procedure would get them (the HTTP request's, then the message's own). A message
 * whose headers are not name and value pairs carries no credential anyone could read.
 */
const headersOf = (request: RpcMessage.RequestEncoded): Effect.Effect<Headers.Headers, Unauthenticated> =>
  Effect.try({
    try: () => Headers.fromInput(request.headers),
    catch: () => new Unauthenticated({ message: "the call's headers are not a list of name and value pairs" })
  })

const authorize = Effect.fn("RpcProtocol.authorize")(function* (
  rpc: Rpc.AnyWithProps,
  request: RpcMessage.RequestEncoded
) {
  const principal = yield* authenticateCall(yield* headersOf(request))
  const permission = Context.getOption(rpc.annotations, RequiredPermission)
  if (Option.isSome(permission)) yield* requirePermission(principal, permission.value)
  return principal
})

const isHeaderPair = (entry: unknown): boolean =>
  Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" && typeof entry[1] === "string"

/**
 * A public call's headers without entries that are no name and value pair (an object sent as `headers`, which the
 * protocol's `concat` appends as one entry, or junk in the list): effect/rpc answered such a call with a defect
 * ("….for is not iterable") instead of running Login. A public procedure reads no credential from them; a protected
 * one is refused for them instead (`headersOf`).
 */
const withWellFormedHeaders = (request: RpcMessage.RequestEncoded): RpcMessage.RequestEncoded =>
  request.headers.every(isHeaderPair) ? request : { ...request, headers: request.headers.filter(isHeaderPair) }

/**
 * The call without the value the protocol appended for headers the message left out (or sent as null): it prepends
 * the HTTP request's headers with `concat`, which appends such a value as an entry. Such a message has no headers of
 * its own, and a protected call of it goes on with the HTTP request's credentials rather than be refused for
 * headers that are "not a list of name and value pairs".
 */
const withoutMissingHeaders = (request: RpcMessage.RequestEncoded): RpcMessage.RequestEncoded => {
  const headers: unknown = request.headers
  if (!Array.isArray(headers) || headers.length === 0 || headers.at(-1) != null) return request
  return { ...request, headers: headers.slice(0, -1) }
}

/** A request id effect/rpc accepts; any other is left to the server, which refuses it before decoding anything. */
const answerable = (request: RpcMessage.RequestEncoded): boolean =>
  request.isNotification === true || typeof request.id === "string" || typeof request.id === "number"

/**
 * The HTTP protocol of `/rpc`, which checks the caller of a protected procedure before its payload is decoded.
 * effect/rpc decodes a payload as the message arrives, before any middleware runs, so a schema's refusal would
 * reach a caller the procedure then refuses, and describe rules of an operation that caller may not use (an
 * analyst creating a user learnt the password policy). Here a call to a procedure behind `RpcAuthentication` is
 * authenticated first, and refused with `Forbidden` when the procedure declares a `RequiredPermission` the caller
 * lacks, as REST answers 401 and 403 before reading the request. The principal goes on to `RpcAuthentication`
 * (rpc/Authentication.ts); the use cases still check the permission, for callers of core.
 */
export const layerRpcProtocolHttp = (options: {
  /** The procedures served, by tag (`RpcGroup.requests`). */
  readonly procedures: ReadonlyMap<string, Rpc.AnyWithProps>
  readonly path: HttpRouter.PathInput
}): Layer.Layer<
  RpcServer.Protocol,
  never,
  RpcSerialization.RpcSerialization | HttpRouter.HttpRouter | AuthenticationServices
> =>
  Layer.effect(
    RpcServer.Protocol,
    Effect.gen(function* () {
      const protocol = yield* RpcServer.makeProtocolHttp({ path: options.path })
      const services = yield* Effect.context<AuthenticationServices>()
      // Encoded on its own rather than through the procedure's exit schema: a failure's wire form is the error's
      // whatever union holds it, and each procedure's schema holds these (`RpcAuthentication` declares
      // Unauthenticated and Unavailable; `requires` in api/Rpcs.ts does not compile without Forbidden).
      const encodeRefusal = Schema.encodeEffect(
        protocol.codecFor(
          Schema.Exit(Schema.Never, Schema.Union([Unauthenticated, Forbidden, Unavailable]), Schema.Defect())
        )
      )

      const refuse = (clientId: number, rpc: Rpc.AnyWithProps, request: RpcMessage.RequestEncoded, error: Refusal) =>
        Effect.andThen(
          recordRpcCall(rpc._tag, "failure"),
          request.isNotification === true
            ? // No answer is sent for a notification, refused or not.
              Effect.logDebug(`Refused RPC notification ${rpc._tag}: ${error._tag}`)
            : Effect.flatMap(Effect.orDie(encodeRefusal(Exit.fail(error))), (exit) =>
                protocol.send(clientId, {
                  _tag: "Exit",
                  requestId: request.id,
                  // The codec of an RPC's exit schema writes the wire form of an Exit.
                  exit: exit as RpcMessage.ExitEncoded<unknown, unknown>
                })
              )
        )

      return RpcServer.Protocol.of({
        ...protocol,
        run: (next) =>
          protocol.run((clientId, message) => {
            if (message._tag !== "Request" || !answerable(message)) return next(clientId, message)
            const request = withoutMissingHeaders(message)
            const rpc = options.procedures.get(request.tag)
            if (rpc === undefined || !rpc.middlewares.has(RpcAuthentication))
              return next(clientId, withWellFormedHeaders(request))
            return authorize(rpc, request).pipe(
              Effect.provideContext(services),
              Effect.matchEffect({
                onFailure: (error) => refuse(clientId, rpc, request, error),
                onSuccess: (principal: Principal) =>
                  Effect.provideService(next(clientId, request), AuthenticatedBeforeDecoding, principal)
              })
            )
          })
      })
    })
  )
