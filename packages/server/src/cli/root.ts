import { Command } from "effect/cli"
import { analyzeCommand } from "./analyze.ts"
import { generateCommand } from "./generate.ts"
import { indicatorsCommand } from "./indicators.ts"

export const VERSION = "0.1.0"

/**
 * Every subcommand of `adalqarau`, in help order. New commands (import, migrate, serve, findings, users) are added
 * here, one file each.
 */
const SUBCOMMANDS = [generateCommand, analyzeCommand, indicatorsCommand] as const

export const adalqarau = Command.make("adalqarau").pipe(
  Command.withDescription("Procurement risk indicators for Kazakhstan's goszakup data"),
  Command.withSubcommands(SUBCOMMANDS)
)
