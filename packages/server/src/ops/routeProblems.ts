import { Effect } from "effect"
import { HttpRouter, HttpServerError, HttpServerResponse } from "effect/http"
import { makeAllowedMethods, pathOf, type RouteTemplate } from "./routes.ts"

/**
 * The router's own refusals as RFC 9457 problems, like every other error of the API: it answers an unknown path
 * with an empty 404 and the REST layer answers a body it cannot read with a `text/plain` 415, which clients that
 * parse `application/problem+json` cannot use. A known path asked with the wrong method answers 405 with `Allow`.
 */

/** An RFC 9457 problem answered by the edge or the router itself, outside the API's own error schemas. */
export const problemResponse = (status: number, title: string, detail: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe(
    { type: "about:blank", status, title, detail },
    { status, contentType: "application/problem+json", headers }
  )

const isRouteNotFound = (error: unknown): error is HttpServerError.HttpServerError =>
  HttpServerError.isHttpServerError(error) && error.reason._tag === "RouteNotFound"

const isProblem = (response: HttpServerResponse.HttpServerResponse): boolean =>
  response.headers["content-type"]?.startsWith("application/problem+json") === true ||
  (response.body._tag === "Uint8Array" && response.body.contentType.startsWith("application/problem+json"))

/** The text the 415 came with ("Unsupported content-type: text/plain") says what was wrong; keep it as detail. */
const unsupportedMediaType = (response: HttpServerResponse.HttpServerResponse) => {
  const said = response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body).trim() : ""
  return problemResponse(
    415,
    "Unsupported Media Type",
    `${said.length > 0 ? `${said}; ` : ""}request bodies are application/json`
  )
}

export const layerRouteProblems = (templates: ReadonlyArray<RouteTemplate>) => {
  const allowedAt = makeAllowedMethods(templates)
  const routeMissing = (error: HttpServerError.HttpServerError) => {
    const { method, url } = error.request
    const path = pathOf(url)
    const allowed = allowedAt(path)
    return allowed.length > 0 && !allowed.includes(method)
      ? problemResponse(405, "Method Not Allowed", `${method} is not served at ${path}; use ${allowed.join(", ")}`, {
          allow: allowed.join(", ")
        })
      : problemResponse(
          404,
          "Not Found",
          `nothing is served at ${method} ${path}${error.reason.description === undefined ? "" : `: ${error.reason.description}`}`
        )
  }
  return HttpRouter.middleware(
    (app) =>
      app.pipe(
        Effect.catch((error) => (isRouteNotFound(error) ? Effect.succeed(routeMissing(error)) : Effect.fail(error))),
        Effect.map((response) =>
          response.status === 415 && !isProblem(response) ? unsupportedMediaType(response) : response
        )
      ),
    { global: true }
  )
}
