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
  readonly server: ReadonlyArray<LoadFigures>
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

const load = async (url: string, headers: Record<string, string>, connections: number, seconds: number) => {
  const result = await autocannon({ url, connections, duration: seconds, headers })
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

/** Warm-up, then each connection count, against one base URL. */
const measureTarget = async (base: string, headers: Record<string, string>): Promise<ReadonlyArray<LoadFigures>> => {
  await load(base, headers, CONNECTIONS[0], WARMUP_SECONDS)
  const figures: Array<LoadFigures> = []
  for (const connections of CONNECTIONS) figures.push(await load(base, headers, connections, SECONDS))
  return figures
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
    server = await measureTarget(`${origin}${PAGE}`, { authorization: `Bearer ${accessToken}` })
  } finally {
    await stopChild(real.child)
  }
  for (const f of server)
    log(
      `  server ${f.connections} conn: p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${Math.round(f.requestsPerSecond)} req/s`
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
  return { status: "measured", page: PAGE, seconds: SECONDS, server, bare }
}
