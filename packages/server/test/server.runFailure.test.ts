/**
 * A run whose failure message quotes data with a NUL or a lone surrogate: PostgreSQL cannot store that text, and the
 * run stayed `running` when its failure could not be recorded. The message is made storable first.
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
