import { Exit } from "effect"

/**
 * What a failed decoding says, on one line ("BIN must be exactly 12 digits at ["customerBin"]"), for messages that
 * quote it among other text; undefined when the decoding succeeded.
 */
export const decodingProblem = (decoded: Exit.Exit<unknown, { readonly message: string }>): string | undefined => {
  if (Exit.isSuccess(decoded)) return undefined
  const error = Exit.findErrorOption(decoded)
  return error._tag === "Some" ? error.value.message.replace(/\s*\n\s*/gu, " ") : "not decodable"
}
