/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined. */
export const bearerToken = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(header)
  return match?.[1]
}
