import { LONE_SURROGATE } from "../domain/storableText.ts"

/**
 * Why a store cannot take a text filter, or undefined when it can: a NUL character or a lone surrogate, which
 * PostgreSQL cannot take as written (domain/storableText.ts). The in-memory stores refuse them alike, so that tests
 * on them meet the error production meets: a NUL answers an encoding error there, and a lone surrogate, sent as
 * U+FFFD, pages and matches other keys than the raw text would.
 */
export const textFilterProblem = (values: ReadonlyArray<string | undefined>): string | undefined =>
  values.some((v) => v?.includes("\u0000") === true)
    ? "text filters must not contain NUL characters"
    : values.some((v) => v !== undefined && LONE_SURROGATE.test(v))
      ? "text filters must not contain a lone UTF-16 surrogate"
      : undefined
