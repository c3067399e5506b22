#!/usr/bin/env node
// Deep imports: the platform package's index loads every Node adapter (HTTP, sockets, workers…), slowing start-up.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect } from "effect"
import { runCli } from "../cli/index.ts"

// runCli reports a defect itself, on stderr; runMain's own report would go to stdout.
runCli(process.argv.slice(2)).pipe(
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
