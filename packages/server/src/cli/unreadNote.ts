import { type UnreadFile, unreadFileText } from "@adalqarau/adapters/files"
import { FILE_OF_KIND } from "@adalqarau/core"

/** A folder of thousands of stray files must not print them all; `--json` lists every one. */
const NAMED_AT_MOST = 20

/**
 * The stderr line naming the files of a folder that `analyze` or `import` skips, with the kind file a near miss
 * meant — or none when it skips nothing. Without it a misnamed file reads as an empty kind and the run exits 0.
 */
export const unreadNote = (unread: ReadonlyArray<UnreadFile>): string | undefined => {
  if (unread.length === 0) return undefined
  const named = unread.slice(0, NAMED_AT_MOST).map(unreadFileText)
  const more = unread.length > NAMED_AT_MOST ? ` and ${unread.length - NAMED_AT_MOST} more` : ""
  const read = Object.values(FILE_OF_KIND)
  return (
    `note: not read: ${named.join(", ")}${more}; ` +
    `only ${read.slice(0, -1).join(", ")} and ${read.at(-1) ?? ""} are read`
  )
}
