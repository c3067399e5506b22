/**
 * Runs the stores make trouble for, and the run queue: a failure message quoting a NUL or a lone surrogate
 * (PostgreSQL cannot store that text, and the run stayed `running`), an outcome the store will not take, one run
 * waiting at a time, and a run a failed write left `queued`.
 */
import { IndicatorEngine, IndicatorEngineError, RunStore, RunStoreError } from "@adalqarau/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Effect } from "effect"
import type { PortServices } from "../src/Server.ts"
import { loginRest, startTestServer, type TestServer } from "./serverFixtures.ts"

let server: TestServer

const unstorable = (text: string): boolean => text.includes("\u0000") || /\p{Cs}/u.test(text)

/** An engine that fails quoting bad text, and a run store that refuses such text as PostgreSQL does. */
const failingWithBadText = (ports: Context.Context<PortServices>): Context.Context<PortServices> => {
  const runs = Context.get(ports, RunStore)
  return Context.add(
    Context.add(
      ports,
      IndicatorEngine,
      IndicatorEngine.of({
        run: () => Effect.fail(new IndicatorEngineError({ message: "contracts.jsonl:3 holds \u0000 and \uD800" }))
      })
    ),
    RunStore,
    RunStore.of({
      ...runs,
      update: (id, patch) =>
        patch.error !== undefined && patch.error !== null && unstorable(patch.error.message)
          ? Effect.fail(new RunStoreError({ operation: "update", message: "invalid byte sequence for encoding" }))
          : runs.update(id, patch)
    })
  )
}

interface RunSeen {
  readonly status: string
  readonly error: { readonly message: string } | null
}

/** Starts a run as the admin of `baseUrl` and follows it until it fails (or 10 s pass); the last state seen. */
const startAndFollow = async (baseUrl: string): Promise<RunSeen | undefined> => {
  const headers = {
    authorization: `Bearer ${(await loginRest(baseUrl, "admin")).accessToken}`,
    "content-type": "application/json"
  }
  const started = await fetch(`${baseUrl}/api/v1/runs`, { method: "POST", headers, body: "{}" })
  assert.strictEqual(started.status, 202)
  const { id } = (await started.json()) as { readonly id: number }
  let run: RunSeen | undefined
  for (let i = 0; i < 400 && run?.status !== "failed"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    run = (await (await fetch(`${baseUrl}/api/v1/runs/${id}`, { headers })).json()) as RunSeen
  }
  return run
}

beforeAll(async () => {
  server = await startTestServer({ alterPorts: failingWithBadText })
})
afterAll(() => server.close())

describe("a run that fails quoting text a store cannot hold", () => {
  it("is recorded as failed, with the text made storable", async () => {
    const run = await startAndFollow(server.baseUrl)
    assert.strictEqual(run?.status, "failed")
    assert.strictEqual(run?.error?.message, "contracts.jsonl:3 holds \\u0000 and \uFFFD")
  })
})

describe("a run whose outcome cannot be recorded", () => {
  it("ends failed, saying so, rather than staying running", async () => {
    // The engine succeeds; the store refuses the report (as it might refuse any write) and takes the rest.
    const refusingReports = (ports: Context.Context<PortServices>): Context.Context<PortServices> => {
      const runs = Context.get(ports, RunStore)
      return Context.add(
        ports,
        RunStore,
        RunStore.of({
          ...runs,
          update: (id, patch) =>
            patch.report === undefined
              ? runs.update(id, patch)
              : Effect.fail(new RunStoreError({ operation: "update", message: "report refused" }))
        })
      )
    }
    const other = await startTestServer({ alterPorts: refusingReports })
    try {
      const run = await startAndFollow(other.baseUrl)
      assert.strictEqual(run?.status, "failed")
      assert.include(run?.error?.message, "the run's outcome could not be recorded: report refused")
    } finally {
      await other.close()
    }
  })
})

describe("the run queue", () => {
  it("holds one waiting run: of concurrent starts behind a running one, one is queued and the rest answer 409", async () => {
    // An engine that runs until the test lets it finish.
    let finish: () => void = () => {}
    const finished = new Promise<void>((resolve) => {
      finish = resolve
    })
    // And a store that takes its time to create a run, as a database does: concurrent starts overlap there.
    const blocking = (ports: Context.Context<PortServices>): Context.Context<PortServices> => {
      const engine = Context.get(ports, IndicatorEngine)
      const runs = Context.get(ports, RunStore)
      return Context.add(
        Context.add(
          ports,
          IndicatorEngine,
          IndicatorEngine.of({
            run: (params) =>
              Effect.andThen(
                Effect.promise(() => finished),
                engine.run(params)
              )
          })
        ),
        RunStore,
        RunStore.of({ ...runs, create: (run) => Effect.andThen(Effect.sleep("20 millis"), runs.create(run)) })
      )
    }
    const other = await startTestServer({ alterPorts: blocking })
    try {
      const headers = {
        authorization: `Bearer ${(await loginRest(other.baseUrl, "admin")).accessToken}`,
        "content-type": "application/json"
      }
      const start = () => fetch(`${other.baseUrl}/api/v1/runs`, { method: "POST", headers, body: "{}" })
      const statusOf = async (id: number) =>
        ((await (await fetch(`${other.baseUrl}/api/v1/runs/${id}`, { headers })).json()) as RunSeen).status
      const first = (await (await start()).json()) as { readonly id: number }
      for (let i = 0; i < 200 && (await statusOf(first.id)) !== "running"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const answers = await Promise.all(Array.from({ length: 8 }, start))
      const statuses = answers.map((a) => a.status).sort()
      assert.deepStrictEqual(statuses, [202, 409, 409, 409, 409, 409, 409, 409])
      const waiting = (await (answers.find((a) => a.status === 202) as Response).json()) as { readonly id: number }
      // Each refusal names the waiting run, or says one is being queued when it came while that run was created.
      for (const refused of answers.filter((a) => a.status === 409)) {
        assert.match(
          await refused.text(),
          new RegExp(`run ${waiting.id} is queued already|another run is being queued`)
        )
      }
      const late = await start()
      assert.strictEqual(late.status, 409)
      assert.include(await late.text(), `run ${waiting.id} is queued already`)
      finish()
      // Once the waiting run has begun, the place is free again.
      for (let i = 0; i < 400 && (await statusOf(waiting.id)) === "queued"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      assert.strictEqual((await start()).status, 202)
    } finally {
      finish()
      await other.close()
    }
  })

  it("is not blocked by a run a failed write left queued in the store", async () => {
    // The store refuses the first writes after a run is created (a blip): the run stays `queued` in the store.
    let failing = 0
    const blip = (ports: Context.Context<PortServices>): Context.Context<PortServices> => {
      const runs = Context.get(ports, RunStore)
      return Context.add(
        ports,
        RunStore,
        RunStore.of({
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
      )
    }
    const other = await startTestServer({ alterPorts: blip })
    try {
      const headers = {
        authorization: `Bearer ${(await loginRest(other.baseUrl, "admin")).accessToken}`,
        "content-type": "application/json"
      }
      const start = () => fetch(`${other.baseUrl}/api/v1/runs`, { method: "POST", headers, body: "{}" })
      assert.strictEqual((await start()).status, 202)
      await new Promise((resolve) => setTimeout(resolve, 200))
      const second = await start()
      assert.strictEqual(second.status, 202, await second.text())
    } finally {
      await other.close()
    }
  })
})
