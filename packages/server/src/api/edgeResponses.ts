/**
 * Answers the server's edge gives outside the HTTP API's own endpoints, added to the OpenAPI document so that a
 * client generated from it knows them: every operation with a body may answer 413 (over the body limit) and 415
 * (not `application/json`), and a protected operation's 401 carries `WWW-Authenticate: Bearer` (ops/Edge.ts,
 * ops/routeProblems.ts, http/Authentication.ts).
 */

type Json = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const problemResponse = (description: string): Json => ({
  description,
  content: {
    "application/problem+json": {
      schema: {
        type: "object",
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" }
        },
        required: ["type", "title", "status", "detail"]
      }
    }
  }
})

const BODY_RESPONSES: Json = {
  "413": problemResponse("Payload Too Large: the body is over the server's limit (BODY_LIMIT_BYTES)"),
  "415": problemResponse("Unsupported Media Type: bodies are application/json")
}

const WWW_AUTHENTICATE: Json = {
  "WWW-Authenticate": {
    description: "Bearer, with the reason (error, error_description)",
    schema: { type: "string" }
  }
}

const withEdgeResponses = (operation: Json): Json => {
  const responses = isObject(operation.responses) ? operation.responses : {}
  const unauthorized = responses["401"]
  return {
    ...operation,
    responses: {
      ...responses,
      ...(operation.requestBody === undefined ? {} : BODY_RESPONSES),
      // Only the bearer check sends the challenge; login and refresh answer 401 without it.
      ...(isObject(unauthorized) && Array.isArray(operation.security) && operation.security.length > 0
        ? {
            "401": {
              ...unauthorized,
              headers: { ...(isObject(unauthorized.headers) ? unauthorized.headers : {}), ...WWW_AUTHENTICATE }
            }
          }
        : {})
    }
  }
}

/** The document with the edge's answers added to every operation (an `OpenApi.Transform`). */
export const addEdgeResponses = (spec: Record<string, unknown>): Record<string, unknown> => {
  const paths = isObject(spec.paths) ? spec.paths : {}
  return {
    ...spec,
    paths: Object.fromEntries(
      Object.entries(paths).map(([path, item]) => [
        path,
        isObject(item)
          ? Object.fromEntries(
              Object.entries(item).map(([method, operation]) => [
                method,
                isObject(operation) && isObject(operation.responses) ? withEdgeResponses(operation) : operation
              ])
            )
          : item
      ])
    )
  }
}
