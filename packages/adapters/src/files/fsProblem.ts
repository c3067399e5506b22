/** A short, human-readable reason for a failed file-system call ("does not exist", "permission denied", …). */
export const fsProblem = (cause: unknown): string => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
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
