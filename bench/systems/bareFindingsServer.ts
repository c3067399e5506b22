/**
 * Child process of `pnpm bench`: the findings page without the server around it — a bare `node:http` handler
 * that runs the FindingStore's own query (PgFindingStore: the same SQL, the same pool size) and writes the page
 * as JSON. No routing, authentication, validation, encoding schema or logging: the floor the real server is
 * compared with. Prints `listening <port>` once ready.
 *
 *   DATABASE_URL=… node bench/systems/bareFindingsServer.ts
 */
import { createServer } from "node:http"
import { layerPgFindingStore, layerPgFromConfig } from "@adalqarau/adapters/postgres"
import { FindingStore } from "@adalqarau/core"
import { Effect, Layer, ManagedRuntime } from "effect"

const runtime = ManagedRuntime.make(layerPgFindingStore.pipe(Layer.provide(layerPgFromConfig)))
const store = await runtime.runPromise(Effect.service(FindingStore))

const server = createServer((request, response) => {
  const limit = Number(new URL(request.url ?? "/", "http://localhost").searchParams.get("limit") ?? "100")
  runtime.runPromise(store.query({ limit })).then(
    (page) => {
      const body = JSON.stringify(page)
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      response.end(body)
    },
    (error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" })
      response.end(String(error))
    }
  )
})

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  console.log(`listening ${typeof address === "object" && address !== null ? address.port : ""}`)
})

const stop = () => {
  server.close()
  void runtime.dispose().then(() => process.exit(0))
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
