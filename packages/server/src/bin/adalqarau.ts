#!/usr/bin/env node
// Deep imports: the platform package's index loads every Node adapter (HTTP, sockets, workers…), slowing start-up.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Effect, Exit, Runtime } from "effect"
import { runCli } from "../cli/index.ts"
import { isServing } from "../cli/serve.ts"

// A server asked to stop (SIGTERM, SIGINT) has done its job: it exits 0, which a service manager counts as a clean
// stop. Any other command interrupted has not finished, and keeps runMain's 130.
const teardown: Runtime.Teardown = (exit, onExit) =>
  isServing() && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
    ? onExit(0)
    : Runtime.defaultTeardown(exit, onExit)

// runCli reports a defect itself, on stderr; runMain's own report would go to stdout.
runCli(process.argv.slice(2)).pipe(
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown })
)
