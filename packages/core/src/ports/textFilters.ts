/**
 * Why a store cannot take a text filter, or undefined when it can: a NUL character or a lone surrogate. PostgreSQL text cannot hold
 * one (a bound parameter holding it answers an encoding error), and the in-memory stores refuse it alike, so that
 * tests on them meet the error production meets.
 */
export const textFilterProblem = (values: ReadonlyArray<string | undefined>): string | undefined =>
  values.some((v) => v?.includes("\u0000") === true)
    ? "text filters must not contain NUL characters"
    : // PostgreSQL's drivers send a lone surrogate as U+FFFD, which pages and matches other keys than the in-memory
      // stores' comparison of the raw text would.
      values.some((v) => v !== undefined && /\p{Cs}/u.test(v))
      ? "text filters must not contain a lone UTF-16 surrogate"
      : undefined
