import {
  Conflict,
  Forbidden,
  InvalidInput,
  NotFound,
  TooManyAttempts,
  Unauthenticated,
  Unavailable
} from "@adalqarau/core"
import { Schema, SchemaTransformation } from "effect"
import { ProblemDetails } from "effect/http"
import { HttpApiSchema } from "effect/http-api"

/**
 * How the use cases' errors look over REST: RFC 9457 problems (`application/problem+json`) with the status of
 * their meaning, the error's message as `detail`, and its fields as extension members. The schemas decode back
 * into the same error classes, so REST clients generated from the API get the errors RPC clients get.
 *
 * A request that fails schema validation answers the same 400 shape (`errors: [{ path, message }]`) through
 * `HttpApiMiddleware.ProblemDetails`; `InvalidInput` (a rule the use case checks itself) renders identically.
 */

const problem = <Type extends string, Status extends number, Title extends string, F extends Schema.Struct.Fields>(
  type: Type,
  status: Status,
  title: Title,
  fields: F
) =>
  Schema.Struct({
    type: Schema.Literal(type),
    status: Schema.Literal(status),
    title: Schema.Literal(title),
    detail: Schema.String,
    ...fields
  })

const asProblem =
  (status: number) =>
  <S extends Schema.Top>(self: S) =>
    self.pipe(HttpApiSchema.status(status), HttpApiSchema.asJson({ contentType: ProblemDetails.contentType }))

const BLANK = "about:blank" as const

export const UnauthenticatedProblem = problem(BLANK, 401, "Unauthorized", {}).pipe(
  Schema.decodeTo(
    Schema.toType(Unauthenticated),
    SchemaTransformation.transform({
      decode: (body) => new Unauthenticated({ message: body.detail }),
      encode: (e) => ({ type: BLANK, status: 401 as const, title: "Unauthorized" as const, detail: e.message })
    })
  ),
  asProblem(401)
)

export const ForbiddenProblem = problem(BLANK, 403, "Forbidden", { permission: Schema.String }).pipe(
  Schema.decodeTo(
    Schema.toType(Forbidden),
    SchemaTransformation.transform({
      decode: (body) => new Forbidden({ message: body.detail, permission: body.permission }),
      encode: (e) => ({
        type: BLANK,
        status: 403 as const,
        title: "Forbidden" as const,
        detail: e.message,
        permission: e.permission
      })
    })
  ),
  asProblem(403)
)

export const NotFoundProblem = problem(BLANK, 404, "Not Found", { resource: Schema.String, id: Schema.String }).pipe(
  Schema.decodeTo(
    Schema.toType(NotFound),
    SchemaTransformation.transform({
      decode: (body) => new NotFound({ resource: body.resource, id: body.id }),
      encode: (e) => ({
        type: BLANK,
        status: 404 as const,
        title: "Not Found" as const,
        detail: `no ${e.resource} ${e.id}`,
        resource: e.resource,
        id: e.id
      })
    })
  ),
  asProblem(404)
)

const Issue = Schema.Struct({
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String
})

/** A dotted path's segments, array indices as numbers, as schema issue paths spell them. */
const segmentsOf = (field: string): Array<string | number> =>
  field.split(".").map((segment) => (/^\d+$/u.test(segment) ? Number(segment) : segment))

/**
 * `field` is a dotted path from the request part ("payload.params.indicators.super-dumping.threshold", see the
 * REST handlers); it becomes the issue path, in the same form as the schema errors' (`["payload", "params", …]`).
 */
export const InvalidInputProblem = problem(BLANK, 400, "Bad Request", { errors: Schema.Array(Issue) }).pipe(
  Schema.decodeTo(
    Schema.toType(InvalidInput),
    SchemaTransformation.transform({
      decode: (body) =>
        new InvalidInput({
          field: body.errors[0]?.path.join(".") ?? "",
          message: body.errors[0]?.message ?? body.detail
        }),
      encode: (e) => ({
        type: BLANK,
        status: 400 as const,
        title: "Bad Request" as const,
        detail: "Request validation failed",
        errors: [{ path: segmentsOf(e.field), message: e.message }]
      })
    })
  ),
  asProblem(400)
)

export const ConflictProblem = problem(BLANK, 409, "Conflict", {}).pipe(
  Schema.decodeTo(
    Schema.toType(Conflict),
    SchemaTransformation.transform({
      decode: (body) => new Conflict({ message: body.detail }),
      encode: (e) => ({ type: BLANK, status: 409 as const, title: "Conflict" as const, detail: e.message })
    })
  ),
  asProblem(409)
)

const TooManyAttemptsBody = problem(BLANK, 429, "Too Many Requests", { retryAfterSeconds: Schema.Int }).pipe(
  asProblem(429)
)

/** 429 with `Retry-After` (seconds) as HTTP clients and proxies expect it, and the same number in the body. */
export const TooManyAttemptsProblem = Schema.toType(TooManyAttempts).pipe(
  HttpApiSchema.encodeToWithHeaders(
    { body: TooManyAttemptsBody, headers: { "retry-after": Schema.String } },
    {
      decode: ({ body }) => new TooManyAttempts({ message: body.detail, retryAfterSeconds: body.retryAfterSeconds }),
      encode: (e) => ({
        body: {
          type: BLANK,
          status: 429 as const,
          title: "Too Many Requests" as const,
          detail: e.message,
          retryAfterSeconds: e.retryAfterSeconds
        },
        headers: { "retry-after": String(e.retryAfterSeconds) }
      })
    }
  )
)

export const UnavailableProblem = problem(BLANK, 503, "Service Unavailable", {}).pipe(
  Schema.decodeTo(
    Schema.toType(Unavailable),
    SchemaTransformation.transform({
      decode: (body) => new Unavailable({ message: body.detail }),
      encode: (e) => ({ type: BLANK, status: 503 as const, title: "Service Unavailable" as const, detail: e.message })
    })
  ),
  asProblem(503)
)
