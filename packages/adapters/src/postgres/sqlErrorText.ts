/**
 * What the database said about a failed statement. A `SqlError`'s own message is the driver's generic
 * "PgConnection: Query failed"; the server's text and its SQLSTATE code (a deadlock, a constraint, a trigger's
 * RAISE) are in its causes, and an operator needs them to act.
 */
export const sqlErrorText = (error: unknown): string => {
  let deepest = error instanceof Error ? error.message : String(error)
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if (current instanceof Error && current.message !== "") {
      const code: unknown = (current as { readonly code?: unknown }).code
      if (typeof code === "string" && /^[0-9A-Z]{5}$/u.test(code)) return `${current.message} (SQLSTATE ${code})`
      deepest = current.message
    }
    current = "cause" in current ? current.cause : undefined
  }
  return deepest
}
