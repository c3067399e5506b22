/**
 * Why a store cannot take a text filter, or undefined when it can: a NUL character. PostgreSQL text cannot hold
 * one (a bound parameter holding it answers an encoding error), and the in-memory stores refuse it alike, so that
 * tests on them meet the error production meets.
 */
export const textFilterProblem = (values: ReadonlyArray<string | undefined>): string | undefined =>
  values.some((v) => v?.includes("\u0000") === true) ? "text filters must not contain NUL characters" : undefined
