import { Effect, Layer, SchemaAST } from "effect"
import { HttpServerRequest } from "effect/http"
import { type HttpApiEndpoint, HttpApiError, HttpApiMiddleware } from "effect/http-api"

/** Whether a query parameter takes a list (`indicators=a&indicators=b`): what its schema reads is an array. */
const takesList = (ast: SchemaAST.AST): boolean => {
  const encoded = SchemaAST.toEncoded(ast)
  return SchemaAST.isArrays(encoded) || (SchemaAST.isUnion(encoded) && encoded.types.some(takesList))
}

const singleValuedCache = new WeakMap<HttpApiEndpoint.Top, ReadonlySet<string>>()

/** The query parameters of an endpoint that take one value. */
const singleValued = (endpoint: HttpApiEndpoint.Top): ReadonlySet<string> => {
  let names = singleValuedCache.get(endpoint)
  if (names === undefined) {
    const query = endpoint.query === undefined ? undefined : SchemaAST.toEncoded(endpoint.query.ast)
    names = new Set(
      query !== undefined && SchemaAST.isObjects(query)
        ? query.propertySignatures.flatMap((p) => (typeof p.name === "string" && !takesList(p.type) ? [p.name] : []))
        : []
    )
    singleValuedCache.set(endpoint, names)
  }
  return names
}

/**
 * A query parameter given twice reaches its schema as a list of both values, and the schema refused it for its
 * type ("Expected string"), which told the client nothing it could act on. The issue says what happened instead.
 */
const namingRepeatedParameters = (
  problem: HttpApiError.BadRequestProblem,
  query: HttpServerRequest.ParsedSearchParams["Service"],
  singles: ReadonlySet<string>
): HttpApiError.BadRequestProblem => {
  if (problem.errors === undefined) return problem
  const errors = problem.errors.map((issue) => {
    const [slot, name] = issue.path
    return slot === "query" &&
      typeof name === "string" &&
      singles.has(name) &&
      Object.hasOwn(query, name) &&
      Array.isArray(query[name])
      ? { path: ["query", name], message: `${name} was given more than once; it takes one value` }
      : issue
  })
  return new HttpApiError.BadRequestProblem({
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    errors
  })
}

/**
 * `HttpApiMiddleware.ProblemDetails` as the effect one renders it (400 problems with `errors: [{ path, message }]`),
 * except that a single-valued query parameter given more than once is named as such.
 */
export const layerProblemDetails: Layer.Layer<HttpApiMiddleware.ProblemDetails> = Layer.effect(
  HttpApiMiddleware.ProblemDetails,
  Effect.gen(function* () {
    const render = yield* HttpApiMiddleware.ProblemDetails
    return HttpApiMiddleware.ProblemDetails.of((httpEffect, options) =>
      render(httpEffect, options).pipe(
        Effect.catchIf(
          (error) => error instanceof HttpApiError.BadRequestProblem,
          (problem) =>
            Effect.flatMap(HttpServerRequest.ParsedSearchParams, (query) =>
              Effect.fail(namingRepeatedParameters(problem, query, singleValued(options.endpoint)))
            )
        )
      )
    )
  })
).pipe(Layer.provide(HttpApiMiddleware.layerProblemDetails({ includeDetails: true })))
