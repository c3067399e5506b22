import { Command } from "effect/cli"
import { analyzeCommand } from "./analyze.ts"
import { findingsCommand } from "./findings.ts"
import { generateCommand } from "./generate.ts"
import { importCommand } from "./import.ts"
import { importsCommand } from "./imports.ts"
import { indicatorsCommand } from "./indicators.ts"
import { migrateCommand } from "./migrate.ts"
import { rejectsCommand } from "./rejects.ts"
import { serveCommand } from "./serve.ts"
import { usersCommand } from "./users.ts"

export const VERSION = "0.1.0"

/**
 * Every subcommand of `adalqarau`, in help order, one file each.
 */
const SUBCOMMANDS = [
  generateCommand,
  analyzeCommand,
  importCommand,
  findingsCommand,
  rejectsCommand,
  importsCommand,
  serveCommand,
  usersCommand,
  migrateCommand,
  indicatorsCommand
] as const

export const adalqarau = Command.make("adalqarau").pipe(
  Command.withDescription("Procurement risk indicators for Kazakhstan's goszakup data"),
  Command.withSubcommands(SUBCOMMANDS)
)
