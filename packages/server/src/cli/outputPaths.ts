import { readlink, realpath, stat } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { KIND_ORDER } from "@adalqarau/adapters/files"
import { FILE_OF_KIND } from "@adalqarau/core"
import { Effect } from "effect"
import { type CliFailure, usageFailure } from "./CliFailure.ts"

/** A path a command reads, and how to name it in a message ("the input file x/contracts.jsonl"). */
export interface InputPath {
  readonly path: string
  readonly description: string
}

/**
 * What a command reading an OWS folder reads: the folder, and every kind file the reader takes from it — present
 * or not, since an output written under a kind file's name would be read as records by the next run.
 */
export const folderInputs = (dir: string): ReadonlyArray<InputPath> => [
  { path: dir, description: `the input folder ${dir}` },
  ...KIND_ORDER.map((kind) => {
    const path = join(dir, FILE_OF_KIND[kind])
    return { path, description: `the input file ${path}` }
  })
]

/** A path a command writes, with the flag that named it. */
export interface OutputPath {
  readonly flag: string
  readonly path: string
}

interface FileIdentity {
  readonly path: string
  readonly device?: bigint
  readonly inode?: bigint
}

/** Linux gives up after 40 links too (ELOOP); a cycle must not hang the check. */
const MAX_LINKS = 40

/**
 * The absolute path with every existing symbolic link followed — a dangling last link too, since opening it for
 * writing creates its target — and the part that does not exist yet kept as written. A path that cannot be resolved
 * (no permission, a loop) stays as written: it cannot be opened for writing either, and the writer reports why.
 */
const resolveThroughLinks = async (path: string, links = 0): Promise<string> => {
  const real = await realpath(path).catch(() => undefined)
  if (real !== undefined) return real
  const target = links < MAX_LINKS ? await readlink(path).catch(() => undefined) : undefined
  if (target !== undefined) return resolveThroughLinks(resolve(dirname(path), target), links + 1)
  const parent = dirname(path)
  return parent === path ? path : join(await resolveThroughLinks(parent, links), basename(path))
}

/** Real path, and device + inode when the file exists (a hard link is the same file under another name). */
const identify = (path: string): Effect.Effect<FileIdentity> =>
  Effect.promise(async () => {
    const real = await resolveThroughLinks(resolve(path))
    // A missing file has no inode yet: the real path alone says whether it is the same.
    const info = await stat(real, { bigint: true }).catch(() => undefined)
    return info === undefined ? { path: real } : { path: real, device: info.dev, inode: info.ino }
  })

const sameFile = (a: FileIdentity, b: FileIdentity): boolean =>
  a.inode !== undefined && b.inode !== undefined ? a.device === b.device && a.inode === b.inode : a.path === b.path

/**
 * Refuses, as a usage error before anything is opened, output paths that are one of the command's inputs (through
 * symbolic and hard links) or name the same file as another output: a file opened for writing is truncated at once,
 * so the run would read nothing, or lose what the other output wrote, and still exit 0.
 */
export const checkOutputPaths = Effect.fn("cli.checkOutputPaths")(function* (
  inputs: ReadonlyArray<InputPath>,
  outputs: ReadonlyArray<OutputPath>
): Effect.fn.Return<void, CliFailure> {
  const inputIds = yield* Effect.forEach(inputs, (input) => Effect.map(identify(input.path), (id) => ({ input, id })))
  const outputIds: Array<{ readonly output: OutputPath; readonly id: FileIdentity }> = []
  for (const output of outputs) {
    const id = yield* identify(output.path)
    const read = inputIds.find((candidate) => sameFile(candidate.id, id))
    if (read !== undefined) {
      return yield* usageFailure(`${output.flag} ${output.path} would overwrite ${read.input.description}`)
    }
    const other = outputIds.find((candidate) => sameFile(candidate.id, id))
    if (other !== undefined) {
      return yield* usageFailure(
        `${other.output.flag} ${other.output.path} and ${output.flag} ${output.path} are the same file: ` +
          "give each its own path"
      )
    }
    outputIds.push({ output, id })
  }
})
