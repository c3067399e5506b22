/**
 * Runs the stores make trouble for, and the run queue: a failure message quoting a NUL or a lone surrogate
 * (PostgreSQL cannot store that text, and the run stayed `running`), an outcome the store will not take, one run
 * waiting at a time, and a run a failed write left `queued`.
 */
import { IndicatorEngine, IndicatorEngineError, RunStore, RunStoreError } from "@adalqarau/core"
import { makeMemoryIndicatorEngine } from "@adalqarau/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect } from "effect"
import type { PortServices } from "../src/Server.ts"
import { loginRest, startTestServer } from "./serverFixtures.ts"

type Ports = Context.Context<PortServices>
type Runs = Parameters<typeof RunStore.of>[0]
type Engine = Parameters<typeof IndicatorEngine.of>[0]

/** Ports with the run store and the engine changed as a test needs. */
const altered =
  (change: { readonly runs?: (runs: Runs) => Runs; readonly engine?: (engine: Engine) => Engine }) =>
  (ports: Ports): Ports => {
    const runs = Context.get(ports, RunStore)
    const engine = Context.get(ports, IndicatorEngine)
    return Context.add(
      Context.add(ports, RunStore, RunStore.of(change.runs?.(runs) ?? runs)),
      IndicatorEngine,
      IndicatorEngine.of(change.engine?.(engine) ?? engine)
    )
  }

interface RunSeen {
  readonly id: number
  readonly status: string
  readonly error: { readonly message: string } | null
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A server over the altered ports, used as its admin: start runs, read them, close it. */
const serverWith = async (alterPorts: (ports: Ports) => Ports) => {
  const server = await startTestServer({ alterPorts })
  const headers = {
    authorization: `Bearer ${(await loginRest(server.baseUrl, "admin")).accessToken}`,
    "content-type": "application/json"
  }
  const start = () => fetch(`${server.baseUrl}/api/v1/runs`, { method: "POST", headers, body: "{}" })
  const read = async (id: number) =>
    (await (await fetch(`${server.baseUrl}/api/v1/runs/${id}`, { headers })).json()) as RunSeen
  /** Reads the run until `done` holds of it (or 10 s pass); the last state seen. */
  const follow = async (id: number, done: (run: RunSeen) => boolean): Promise<RunSeen> => {
    let run = await read(id)
    for (let i = 0; i < 400 && !done(run); i++) {
      await pause(25)
      run = await read(id)
    }
    return run
  }
  return { start, follow, close: () => server.close() }
}

/** Starts one run on a server over the altered ports and follows it until it fails; the run as last seen. */
const runUntilFailed = async (alterPorts: (ports: Ports) => Ports): Promise<RunSeen> => {
  const server = await serverWith(alterPorts)
  try {
    const started = await server.start()
    assert.strictEqual(started.status, 202)
    return await server.follow(((await started.json()) as RunSeen).id, (r) => r.status === "failed")
  } finally {
    await server.close()
  }
}

const unstorable = (text: string): boolean => text.includes("\u0000") || /\p{Cs}/u.test(text)

describe("a run that fails quoting text a store cannot hold", () => {
  it("is recorded as failed, with the text made storable", async () => {
    // The engine fails quoting bad text, and the run store refuses such text as PostgreSQL does.
    const run = await runUntilFailed(
      altered({
        engine: () => ({
          run: () => Effect.fail(new IndicatorEngineError({ message: "contracts.jsonl:3 holds \u0000 and \uD800" }))
        }),
        runs: (runs) => ({
          ...runs,
          update: (id, patch) =>
            patch.error !== undefined && patch.error !== null && unstorable(patch.error.message)
              ? Effect.fail(new RunStoreError({ operation: "update", message: "invalid byte sequence for encoding" }))
              : runs.update(id, patch)
        })
      })
    )
    assert.strictEqual(run.status, "failed")
    assert.strictEqual(run.error?.message, "contracts.jsonl:3 holds \\u0000 and \uFFFD")
  })
})

describe("a run whose outcome cannot be recorded", () => {
  it("ends failed, saying so, rather than staying running", async () => {
    // The engine succeeds; the store refuses the report (as it might refuse any write) and takes the rest.
    const run = await runUntilFailed(
      altered({
        runs: (runs) => ({
          ...runs,
          update: (id, patch) =>
            patch.report === undefined
              ? runs.update(id, patch)
              : Effect.fail(new RunStoreError({ operation: "update", message: "report refused" }))
        })
      })
    )
    assert.strictEqual(run.status, "failed")
    assert.include(run.error?.message, "the run's outcome could not be recorded: report refused")
  })
})

describe("the run queue", () => {
  it("holds one waiting run: of concurrent starts behind a running one, one is queued and the rest answer 409", async () => {
    // An engine that runs until the test lets it finish, and a store that takes its time to create a run, as a
    // database does: concurrent starts overlap there.
    let finish: () => void = () => {}
    const finished = new Promise<void>((resolve) => {
      finish = resolve
    })
    const server = await serverWith(
      altered({
        engine: (engine) => ({
          run: (params) =>
            Effect.andThen(
              Effect.promise(() => finished),
              engine.run(params)
            )
        }),
        runs: (runs) => ({ ...runs, create: (run) => Effect.andThen(Effect.sleep("20 millis"), runs.create(run)) })
      })
    )
    try {
      const first = (await (await server.start()).json()) as RunSeen
      await server.follow(first.id, (r) => r.status === "running")
      const answers = await Promise.all(Array.from({ length: 8 }, server.start))
      assert.deepStrictEqual(answers.map((a) => a.status).sort(), [202, 409, 409, 409, 409, 409, 409, 409])
      const waiting = (await (answers.find((a) => a.status === 202) as Response).json()) as RunSeen
      // Each refusal names the waiting run, or says one is being queued when it came while that run was created.
      for (const refused of answers.filter((a) => a.status === 409)) {
        assert.match(
          await refused.text(),
          new RegExp(`run ${waiting.id} is queued already|another run is being queued`)
        )
      }
      const late = await server.start()
      assert.strictEqual(late.status, 409)
      assert.include(await late.text(), `run ${waiting.id} is queued already`)
      finish()
      // Once the waiting run has begun, the place is free again.
      await server.follow(waiting.id, (r) => r.status !== "queued")
      assert.strictEqual((await server.start()).status, 202)
    } finally {
      finish()
      await server.close()
    }
  })

  it("is not blocked by a run a failed write left queued in the store", async () => {
    // The store refuses the first writes after a run is created (a blip): the run stays `queued` in the store.
    let failing = 0
    const server = await serverWith(
      altered({
        runs: (runs) => ({
          ...runs,
          create: (run) =>
            Effect.tap(runs.create(run), () =>
              Effect.sync(() => {
                failing = 2
              })
            ),
          update: (id, patch) =>
            failing > 0
              ? Effect.suspend(() => {
                  failing--
                  return Effect.fail(new RunStoreError({ operation: "update", message: "connection reset" }))
                })
              : runs.update(id, patch)
        })
      })
    )
    try {
      assert.strictEqual((await server.start()).status, 202)
      await pause(200)
      const second = await server.start()
      assert.strictEqual(second.status, 202, await second.text())
    } finally {
      await server.close()
    }
  })
})

describe("run parameters and roles", () => {
  it("lets an analyst run the defaults and keeps other parameters to runs:configure", async () => {
    const server = await startTestServer()
    const as = async (username: string) => ({
      authorization: `Bearer ${(await loginRest(server.baseUrl, username)).accessToken}`,
      "content-type": "application/json"
    })
    const analyst = await as("analyst")
    const admin = await as("admin")
    const start = (headers: Record<string, string>, params: unknown) =>
      fetch(`${server.baseUrl}/api/v1/runs`, { method: "POST", headers, body: JSON.stringify({ params }) })
    const runCount = async () =>
      (
        (await (await fetch(`${server.baseUrl}/api/v1/runs?limit=100`, { headers: admin })).json()) as {
          readonly runs: ReadonlyArray<RunSeen>
        }
      ).runs.length
    /** Starts a run that must be accepted, and waits until it has finished so that the next one has the queue. */
    const accepted = async (headers: Record<string, string>, params: unknown) => {
      const response = await start(headers, params)
      assert.strictEqual(response.status, 202, await response.clone().text())
      const { id } = (await response.json()) as RunSeen
      let run = (await (await fetch(`${server.baseUrl}/api/v1/runs/${id}`, { headers: admin })).json()) as RunSeen
      for (let i = 0; i < 400 && (run.status === "queued" || run.status === "running"); i++) {
        await pause(25)
        run = (await (await fetch(`${server.baseUrl}/api/v1/runs/${id}`, { headers: admin })).json()) as RunSeen
      }
      assert.strictEqual(run.status, "succeeded")
    }
    try {
      // The defaults, however written: left out, a subset of indicators, or spelt out.
      await accepted(analyst, {})
      await accepted(analyst, { only: ["super-dumping", "partnership"] })
      await accepted(analyst, {
        filters: { statusIds: [190, 340, 350, 375, 390, 450] },
        indicators: { "super-dumping": { threshold: 30 } }
      })
      const before = await runCount()
      const refused = await start(analyst, {
        filters: { yearTypeIds: [1, 2] },
        indicators: { "super-dumping": { threshold: 90 }, partnership: {} }
      })
      assert.strictEqual(refused.status, 403)
      const body = (await refused.json()) as { readonly permission: string; readonly detail: string }
      assert.strictEqual(body.permission, "runs:configure")
      assert.include(body.detail, "params.filters.yearTypeIds, params.indicators.super-dumping.threshold")
      assert.notInclude(body.detail, "partnership")
      // Refused before anything was stored or queued: the next start gets the queue.
      assert.strictEqual(await runCount(), before)
      // Wrong parameters are still named as such, whoever sends them.
      const invalid = await start(analyst, { indicators: { "super-dumping": { threshold: 900 } } })
      assert.strictEqual(invalid.status, 400)
      await accepted(admin, { indicators: { "super-dumping": { threshold: 90 } } })
      // Filters hold for every indicator: a run of some of them with other filters than those in force answers 400
      // at once, before anything is queued, rather than failing later.
      await accepted(admin, { filters: { statusIds: [190] } })
      const beforeOnly = await runCount()
      const otherFilters = await start(admin, { only: ["super-dumping"] })
      assert.strictEqual(otherFilters.status, 400)
      const problem = (await otherFilters.json()) as {
        readonly errors: ReadonlyArray<{ readonly path: ReadonlyArray<string>; readonly message: string }>
      }
      assert.deepStrictEqual(problem.errors[0]?.path, ["payload", "params", "filters"])
      assert.include(problem.errors[0]?.message, "filters hold for every indicator")
      assert.include(problem.errors[0]?.message, '"statusIds":[190]')
      assert.strictEqual(await runCount(), beforeOnly)
      await accepted(admin, { only: ["super-dumping"], filters: { statusIds: [190] } })
      await accepted(admin, {})
    } finally {
      await server.close()
    }
  })
})

describe("a run's status", () => {
  it("names the indicators no run has evaluated yet", async () => {
    // An engine no run has used yet (the fixture's seeding ran the shared one over all indicators).
    const server = await startTestServer({
      alterPorts: (ports) =>
        Context.add(
          ports,
          IndicatorEngine,
          Effect.runSync(makeMemoryIndicatorEngine().pipe(Effect.provideContext(ports)))
        )
    })
    const headers = {
      authorization: `Bearer ${(await loginRest(server.baseUrl, "admin")).accessToken}`,
      "content-type": "application/json"
    }
    /** Starts a run, follows it to its end, and answers what its report says was never evaluated. */
    const neverEvaluated = async (params: unknown) => {
      const started = await fetch(`${server.baseUrl}/api/v1/runs`, {
        method: "POST",
        headers,
        body: JSON.stringify({ params })
      })
      assert.strictEqual(started.status, 202, await started.clone().text())
      const { id } = (await started.json()) as RunSeen
      type Done = RunSeen & { readonly report: { readonly neverEvaluated?: ReadonlyArray<string> } | null }
      const read = async () => (await (await fetch(`${server.baseUrl}/api/v1/runs/${id}`, { headers })).json()) as Done
      let run = await read()
      for (let i = 0; i < 400 && (run.status === "queued" || run.status === "running"); i++) {
        await pause(25)
        run = await read()
      }
      assert.strictEqual(run.status, "succeeded")
      return run.report?.neverEvaluated
    }
    try {
      assert.deepStrictEqual(await neverEvaluated({ only: ["sum-growth", "super-dumping"] }), [
        "minimal-dumping",
        "accelerated-payment",
        "partnership"
      ])
      assert.deepStrictEqual(await neverEvaluated({ only: ["partnership"] }), [
        "minimal-dumping",
        "accelerated-payment"
      ])
      assert.deepStrictEqual(await neverEvaluated({}), [])
    } finally {
      await server.close()
    }
  })
})
