import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import autocannon from "autocannon"
import { ROOT } from "./paths.ts"

const CLI = `${ROOT}packages/server/src/bin/adalqarau.ts`
const BARE = `${ROOT}bench/systems/bareFindingsServer.ts`
/** The page measured: the first 50 findings in key order, as an analyst's list view opens. */
const PAGE = "/api/v1/findings?limit=50"
const CONNECTIONS = [50, 200] as const
const SECONDS = 10
const WARMUP_SECONDS = 3

/** One autocannon run: latency percentiles in ms and requests per second. */
export interface LoadFigures {
  readonly connections: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly requestsPerSecond: number
  readonly requests: number
}

export interface ServerResult {
  readonly status: "measured"
  readonly page: string
  readonly seconds: number
  /** The same first page again and again: after the first request, served from the server's page cache. */
  readonly server: ReadonlyArray<LoadFigures>
  /** The server cycling through distinct pages, none of them in its page cache (absent in older results). */
  readonly distinct?: ReadonlyArray<LoadFigures>
  /** How many distinct page paths that run cycled through. */
  readonly distinctPages?: number
  readonly bare: ReadonlyArray<LoadFigures>
}

/** Starts `node script args` with `env` and resolves with the child once a stdout line matches `ready`. */
const startChild = (
  script: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  ready: RegExp
): Promise<{ readonly child: ChildProcess; readonly match: RegExpMatchArray }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env }
    })
    let out = ""
    let err = ""
    let settled = false
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      if (settled) return // the server's request logs: read and dropped, as a log shipper would take them
      out += chunk
      const match = out.match(ready)
      if (match !== null) {
        settled = true
        resolve({ child, match })
      }
    })
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      if (!settled) reject(new Error(`${script} exited with ${code} before it was ready:\n${out}\n${err}`.slice(-4000)))
    })
  })

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

const load = async (
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
  paths?: ReadonlyArray<string>
) => {
  let next = 0
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers,
    ...(paths === undefined
      ? {}
      : { requests: [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }] })
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses and ${result.errors} errors under load`)
  }
  return {
    connections,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requestsPerSecond: result.requests.average,
    requests: result.requests.total
  } satisfies LoadFigures
}

/** Warm-up, then each connection count, against one base URL (or, given `paths`, cycling through them). */
const measureTarget = async (
  base: string,
  headers: Record<string, string>,
  paths?: ReadonlyArray<string>
): Promise<ReadonlyArray<LoadFigures>> => {
  await load(base, headers, CONNECTIONS[0], WARMUP_SECONDS, paths)
  const figures: Array<LoadFigures> = []
  for (const connections of CONNECTIONS) figures.push(await load(base, headers, connections, SECONDS, paths))
  return figures
}

/** Page sizes combined with every start key: far more distinct pages than the server's page cache holds (256). */
const DISTINCT_LIMITS = Array.from({ length: 20 }, (_, i) => 41 + i)

/**
 * Paths of distinct findings pages — every finding key as `afterKey` (plus the first page) times 20 page sizes —
 * ordered so that a cycle through them never asks for a page the least-recently-used cache still holds.
 */
const distinctPagePaths = async (origin: string, headers: Record<string, string>): Promise<ReadonlyArray<string>> => {
  const keys: Array<string> = []
  let afterKey: string | null = null
  do {
    const query: string = afterKey === null ? "" : `&afterKey=${encodeURIComponent(afterKey)}`
    const response = await fetch(`${origin}/api/v1/findings?limit=1000${query}`, { headers })
    if (!response.ok) throw new Error(`listing finding keys failed: ${response.status}`)
    const page = (await response.json()) as {
      readonly findings: ReadonlyArray<{ readonly key: string }>
      readonly nextKey: string | null
    }
    keys.push(...page.findings.map((f) => f.key))
    afterKey = page.nextKey
  } while (afterKey !== null && keys.length < 20_000)
  const starts = ["", ...keys.map((k) => `&afterKey=${encodeURIComponent(k)}`)]
  return DISTINCT_LIMITS.flatMap((limit) => starts.map((start) => `/api/v1/findings?limit=${limit}${start}`))
}

/**
 * (4) The server's findings page under autocannon at 50 and 200 connections, signed in as an admin, on the database
 * at `databaseUrl` (loaded with a dataset and analysed), against a bare `node:http` handler running the store's
 * same query. autocannon runs in this process, on the same two cores as the server and PostgreSQL.
 */
export const measureServer = async (databaseUrl: string, log: (line: string) => void): Promise<ServerResult> => {
  const username = "bench"
  const password = randomBytes(24).toString("base64url")
  const env = {
    DATABASE_URL: databaseUrl,
    HOST: "127.0.0.1",
    PORT: "0",
    ADALQARAU_ADMIN_USERNAME: username,
    ADALQARAU_ADMIN_PASSWORD: password
  }
  const real = await startChild(CLI, ["serve", "--demo-contracts", "0"], env, /serving on (http:\/\/[^\s]+?) /u)
  let server: ReadonlyArray<LoadFigures>
  let distinct: ReadonlyArray<LoadFigures>
  let paths: ReadonlyArray<string>
  try {
    const origin = real.match[1] as string
    const login = await fetch(`${origin}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password })
    })
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`)
    const { accessToken } = (await login.json()) as { readonly accessToken: string }
    const first = await fetch(`${origin}${PAGE}`, { headers: { authorization: `Bearer ${accessToken}` } })
    const page = (await first.json()) as { readonly findings?: ReadonlyArray<unknown> }
    if (!first.ok || (page.findings?.length ?? 0) === 0) throw new Error(`the findings page is empty or failed`)
    const headers = { authorization: `Bearer ${accessToken}` }
    server = await measureTarget(`${origin}${PAGE}`, headers)
    paths = await distinctPagePaths(origin, headers)
    distinct = await measureTarget(origin, headers, paths)
  } finally {
    await stopChild(real.child)
  }
  for (const f of server)
    log(
      `  server ${f.connections} conn: p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${Math.round(f.requestsPerSecond)} req/s`
    )
  for (const f of distinct)
    log(
      `  server, ${paths.length} distinct pages, ${f.connections} conn: p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ` +
        `${Math.round(f.requestsPerSecond)} req/s`
    )
  const bareChild = await startChild(BARE, [], { DATABASE_URL: databaseUrl }, /listening (\d+)/u)
  let bare: ReadonlyArray<LoadFigures>
  try {
    bare = await measureTarget(`http://127.0.0.1:${bareChild.match[1]}${PAGE}`, {})
  } finally {
    await stopChild(bareChild.child)
  }
  for (const f of bare)
    log(
      `  bare   ${f.connections} conn: p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${Math.round(f.requestsPerSecond)} req/s`
    )
  return { status: "measured", page: PAGE, seconds: SECONDS, server, distinct, distinctPages: paths.length, bare }
}
