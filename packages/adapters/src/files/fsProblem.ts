/** A property of a Node.js system error (`code`, `syscall`, `path`), when there is one. */
const errorField = (cause: unknown, name: "code" | "syscall" | "path"): string | undefined =>
  typeof cause === "object" && cause !== null && name in cause
    ? String((cause as Record<typeof name, unknown>)[name])
    : undefined

/** A short, human-readable reason for a failed file-system call ("does not exist", "permission denied", …). */
export const fsProblem = (cause: unknown): string => {
  const code = errorField(cause, "code")
  // Folders are only ever created with `recursive`, which fails with EEXIST only when a part of the path exists as
  // something other than a folder; its `path` is that part, the one to fix.
  if (code === "EEXIST" && errorField(cause, "syscall") === "mkdir") {
    const part = errorField(cause, "path")
    return part === undefined ? "a part of the path is not a folder" : `a part of the path is not a folder: ${part}`
  }
  switch (code) {
    case "ENOENT":
      return "does not exist"
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`
    case "EISDIR":
      return "is a folder, not a file"
    case "ENOTDIR":
      return "a part of the path is not a folder"
    case "ENOSPC":
      return "no space left on the device"
    case "EMFILE":
    case "ENFILE":
      return "too many open files"
    case "EROFS":
      return "the file system is read-only"
  }
  if (cause instanceof Error) return cause.message
  return String(cause)
}
