import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer } from "effect"
import { AuthConfig } from "./auth/AuthConfig.ts"
import { layerLoggingFromEnv } from "./ops/Logging.ts"
import { ServerConfig } from "./ops/ServerConfig.ts"
import { layerMemoryPorts, layerServer } from "./Server.ts"

/**
 * Runs the server over in-memory ports, configured from the environment (docs/server.md). The data is empty and
 * dies with the process; `adalqarau serve` runs the same layers over PGlite/PostgreSQL.
 */
const MainLive = layerServer().pipe(Layer.provide([layerMemoryPorts, ServerConfig.layerEnv, AuthConfig.layerEnv]))

if (import.meta.main) {
  Layer.launch(MainLive).pipe(
    // Reported here, inside the JSON logger, so that even a failed start logs one JSON line.
    Effect.tapCause((cause) =>
      Cause.hasInterruptsOnly(cause)
        ? Effect.logInfo("the server stopped")
        : Effect.logFatal("the server failed", cause)
    ),
    Effect.provide(layerLoggingFromEnv),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      // SIGTERM/SIGINT end in a drained, orderly stop: that is success, not the conventional 130.
      teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1)
    })
  )
}
