import { randomBytes } from "node:crypto"
import { REGION_CODES, type RegionCode, type Role, Users } from "@adalqarau/core"
import { Console, Effect, Option, Redacted, Stdio, Stream } from "effect"
import { Command, Flag } from "effect/cli"
import { layerScryptPasswordHasher } from "../auth/ScryptPasswordHasher.ts"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { withDatabase } from "./database.ts"

export interface CreateUserOptions {
  readonly username: string
  readonly role: Role
  readonly regions: ReadonlyArray<string>
  readonly displayName?: string
  /** Read the password from standard input (first line); otherwise a random one is generated and printed once. */
  readonly passwordStdin: boolean
}

const readPasswordFromStdin = Effect.gen(function* () {
  const stdio = yield* Stdio.Stdio
  const text = yield* stdio.stdin.pipe(Stream.decodeText(), Stream.mkString)
  return text.split(/\r?\n/u)[0] ?? ""
}).pipe(Effect.mapError((e) => runFailure(`reading the password from standard input failed: ${String(e)}`)))

/** Creates a user (the first admin included) in the database, with a hashed password. */
export const runCreateUser = (options: CreateUserOptions): Effect.Effect<void, CliFailure, Stdio.Stdio> =>
  Effect.gen(function* () {
    for (const region of options.regions) {
      if (!(REGION_CODES as ReadonlyArray<string>).includes(region)) {
        return yield* usageFailure(`--region ${region}: not a region code; known: ${REGION_CODES.join(", ")}`)
      }
    }
    const generated = options.passwordStdin ? undefined : randomBytes(18).toString("base64url")
    const password = generated ?? (yield* readPasswordFromStdin)
    const user = yield* withDatabase(
      Users.createUser({
        username: options.username,
        password: Redacted.make(password),
        roles: [options.role],
        regions: options.regions as ReadonlyArray<RegionCode>,
        ...(options.displayName === undefined ? {} : { displayName: options.displayName })
      }).pipe(
        Effect.provide(layerScryptPasswordHasher()),
        Effect.mapError((e) => usageFailure(`could not create ${options.username}: ${e.message}`))
      )
    )
    yield* Console.log(
      `Created ${user.roles.join(", ")} ${user.username}` +
        (user.regions.length === 0 ? "" : ` (regions ${user.regions.join(", ")})`) +
        (generated === undefined ? "" : `. Password (shown once): ${generated}`)
    )
  })

const createCommand = Command.make(
  "create",
  {
    username: Flag.String("username").pipe(Flag.withDescription("Login name (lower-case letters, digits, . _ -)")),
    admin: Flag.Boolean("admin").pipe(Flag.withDescription("Shorthand for --role admin"), Flag.withDefault(false)),
    role: Flag.Literals("role", ["admin", "analyst", "viewer"]).pipe(
      Flag.withDescription("The user's role"),
      Flag.withDefault("viewer")
    ),
    region: Flag.String("region").pipe(
      Flag.withDescription("A region code the user may see, e.g. 75 (repeatable; admins see all)"),
      Flag.atLeast(0)
    ),
    displayName: Flag.String("display-name").pipe(
      Flag.withDescription("The name shown for the user (default: the login name)"),
      Flag.optional
    ),
    passwordStdin: Flag.Boolean("password-stdin").pipe(
      Flag.withDescription("Read the password from standard input instead of generating one"),
      Flag.withDefault(false)
    )
  },
  (input) =>
    runCreateUser({
      username: input.username,
      role: input.admin ? "admin" : input.role,
      regions: input.region,
      passwordStdin: input.passwordStdin,
      ...Option.match(input.displayName, { onNone: () => ({}), onSome: (displayName) => ({ displayName }) })
    })
).pipe(Command.withDescription("Create a user; `--admin` creates an administrator (there is no default password)"))

export const usersCommand = Command.make("users").pipe(
  Command.withDescription("Manage the server's users"),
  Command.withSubcommands([createCommand])
)
