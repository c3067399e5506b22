import { HttpApi, type HttpApiGroup } from "effect/http-api"

/** A request URL's path, without its query string. */
export const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

export interface RouteTemplate {
  readonly method: string
  /** As the router spells it: `/api/v1/contracts/:id`. */
  readonly path: string
}

/** Every endpoint of an HttpApi as method and path template (for metrics labels and the coverage tests). */
export const restRoutes = <Id extends string, Groups extends HttpApiGroup.Constraint>(
  api: HttpApi.HttpApi<Id, Groups>
): ReadonlyArray<RouteTemplate> => {
  const routes: Array<RouteTemplate> = []
  HttpApi.reflect(api, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => routes.push({ method: endpoint.method, path: endpoint.path })
  })
  return routes
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")

const compile = (templates: ReadonlyArray<RouteTemplate>) =>
  templates.map((t) => ({
    method: t.method,
    path: t.path,
    pattern: new RegExp(
      `^${t.path
        .split("/")
        .map((s) => (s.startsWith(":") ? "[^/]+" : escapeRegExp(s)))
        .join("/")}/?$`,
      "u"
    )
  }))

/**
 * Labels a request with its route template, so metrics have one series per route and not one per contract id.
 * Unknown paths share the label "unmatched".
 */
export const makeRouteLabeler = (templates: ReadonlyArray<RouteTemplate>) => {
  const compiled = compile(templates)
  return (method: string, path: string): string => {
    for (const route of compiled) if (route.method === method && route.pattern.test(path)) return route.path
    for (const route of compiled) if (route.pattern.test(path)) return route.path
    return "unmatched"
  }
}

/** The methods some route serves at a path (HEAD wherever GET is, as the router answers it); empty when none. */
export const makeAllowedMethods = (templates: ReadonlyArray<RouteTemplate>) => {
  const compiled = compile(templates)
  return (path: string): ReadonlyArray<string> => {
    const methods = new Set(compiled.filter((route) => route.pattern.test(path)).map((route) => route.method))
    if (methods.has("GET")) methods.add("HEAD")
    return [...methods]
  }
}

/** Every method some route serves (HEAD too where GET is): what a CORS preflight may allow. */
export const servedMethods = (templates: ReadonlyArray<RouteTemplate>): ReadonlyArray<string> => {
  const methods = new Set(templates.map((route) => route.method))
  if (methods.has("GET")) methods.add("HEAD")
  return [...methods]
}
