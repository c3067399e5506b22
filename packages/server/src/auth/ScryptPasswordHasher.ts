import { PasswordHasher } from "@adalqarau/core"
import { Effect, Layer, Redacted } from "effect"
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"

/**
 * scrypt (memory-hard) password hashes as PHC strings: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64, no padding).
 * N = 2^15, r = 8, p = 1 use 32 MiB per hash — the OWASP minimum for scrypt. The parameters travel with each hash,
 * so raising them later keeps old hashes verifiable.
 */
export interface ScryptParams {
  readonly logN: number
  readonly r: number
  readonly p: number
}

export const DEFAULT_SCRYPT: ScryptParams = { logN: 15, r: 8, p: 1 }

const KEY_LENGTH = 32
const SALT_LENGTH = 16

const derive = (password: string, salt: Buffer, params: ScryptParams): Effect.Effect<Buffer> =>
  Effect.callback<Buffer>((resume) => {
    const N = 2 ** params.logN
    // Node refuses by default above 32 MiB; allow exactly what these parameters need, with headroom.
    const maxmem = 128 * N * params.r * params.p + 16 * 1024 * 1024
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N, r: params.r, p: params.p, maxmem }, (error, key) => {
      resume(error === null ? Effect.succeed(key) : Effect.die(error))
    })
  })

const b64 = (bytes: Buffer): string => bytes.toString("base64").replace(/=+$/u, "")

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/u

interface ParsedHash {
  readonly params: ScryptParams
  readonly salt: Buffer
  readonly key: Buffer
}

const parse = (hash: string): ParsedHash | undefined => {
  const match = PHC.exec(hash)
  if (match === null) return undefined
  const params = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) }
  if (params.logN < 10 || params.logN > 22 || params.r < 1 || params.p < 1) return undefined
  return { params, salt: Buffer.from(match[4] as string, "base64"), key: Buffer.from(match[5] as string, "base64") }
}

export const makeScryptPasswordHasher = (params: ScryptParams = DEFAULT_SCRYPT) => {
  // A fixed salt is fine here: `burn` only spends time, its result is thrown away.
  const burnSalt = Buffer.alloc(SALT_LENGTH, 7)
  return PasswordHasher.of({
    hash: Effect.fn("PasswordHasher.hash")(function* (password) {
      const salt = randomBytes(SALT_LENGTH)
      const key = yield* derive(Redacted.value(password), salt, params)
      return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`
    }),
    verify: Effect.fn("PasswordHasher.verify")(function* (password, hash) {
      const parsed = parse(hash)
      if (parsed === undefined || parsed.key.length !== KEY_LENGTH) return false
      const key = yield* derive(Redacted.value(password), parsed.salt, parsed.params)
      return timingSafeEqual(key, parsed.key)
    }),
    burn: Effect.fn("PasswordHasher.burn")(function* (password) {
      yield* derive(Redacted.value(password), burnSalt, params)
    })
  })
}

export const layerScryptPasswordHasher = (params: ScryptParams = DEFAULT_SCRYPT): Layer.Layer<PasswordHasher> =>
  Layer.succeed(PasswordHasher, makeScryptPasswordHasher(params))
