import { Config, Context, Duration, Layer, Result, Schema } from "effect"
import { IpNetwork } from "effect/net"

/** How the server listens and behaves at the edge, from the environment (see docs/server.md). */
export interface ServerSettings {
  readonly host: string
  /** 0 picks a free port (tests). */
  readonly port: number
  /** Allowed browser origins; empty: no CORS headers at all; `["*"]`: any origin. */
  readonly corsOrigins: ReadonlyArray<string>
  /** Largest request body accepted, in bytes; larger ones answer 413. */
  readonly bodyLimitBytes: number
  /** How long shutdown waits for in-flight requests before it cuts them. */
  readonly shutdownTimeout: Duration.Duration
  /** CIDRs of reverse proxies whose `X-Forwarded-For` is believed (for client addresses in logs and rate limits). */
  readonly trustedProxies: ReadonlyArray<string>
}

export const defaultServerSettings: ServerSettings = {
  host: "127.0.0.1",
  port: 8080,
  corsOrigins: [],
  bodyLimitBytes: 1024 * 1024,
  shutdownTimeout: Duration.seconds(20),
  trustedProxies: []
}

const itemsOf = (text: string): ReadonlyArray<string> =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0)

/**
 * Networks, each an address or a CIDR, checked when the setting is read: the server's edge parses them as it is
 * built, where a bad one would end start-up with a stack trace instead of a line naming the setting.
 */
/** A bare address is the network of that address alone: `10.0.0.5` is `10.0.0.5/32`, `::1` is `::1/128`. */
const networkOf = (item: string): string => (item.includes("/") ? item : `${item}/${item.includes(":") ? 128 : 32}`)

const Networks = Schema.String.check(
  Schema.makeFilter((text: string) => {
    const bad = itemsOf(text).find((item) => Result.isFailure(IpNetwork.fromString(networkOf(item))))
    return bad === undefined ? true : `${JSON.stringify(bad)} is not an IP address or network (e.g. 10.0.0.0/8)`
  })
)

/**
 * Browser origins as browsers send them in `Origin` (`https://host[:port]`, lower-case, no path or trailing
 * slash), or `*`. The allow-list compares the header's text, so `https://App.example/` would never match: it is
 * refused with the form that would.
 */
const Origins = Schema.String.check(
  Schema.makeFilter((text: string) => {
    for (const item of itemsOf(text)) {
      if (item === "*") continue
      const origin = URL.canParse(item) ? new URL(item).origin : "null"
      if (origin === "null" || !/^https?:/u.test(origin)) {
        return `${JSON.stringify(item)} is not a browser origin (e.g. https://app.example.kz or http://localhost:3000)`
      }
      if (origin !== item) return `${JSON.stringify(item)} never matches a browser's Origin header: write ${origin}`
    }
    return true
  })
)

export class ServerConfig extends Context.Service<ServerConfig, ServerSettings>()("@adalqarau/server/ServerConfig") {
  static readonly fromEnv: Config.Config<ServerSettings> = Config.all({
    host: Config.String("HOST").pipe(Config.withDefault(defaultServerSettings.host)),
    port: Config.schema(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 })), "PORT").pipe(
      Config.withDefault(defaultServerSettings.port)
    ),
    corsOrigins: Config.schema(Origins, "CORS_ORIGINS").pipe(
      Config.map(itemsOf),
      Config.withDefault<ReadonlyArray<string>>([])
    ),
    bodyLimitBytes: Config.schema(Schema.Int.check(Schema.isGreaterThan(0)), "BODY_LIMIT_BYTES").pipe(
      Config.withDefault(defaultServerSettings.bodyLimitBytes)
    ),
    shutdownTimeout: Config.Duration("SHUTDOWN_TIMEOUT").pipe(
      Config.withDefault(defaultServerSettings.shutdownTimeout)
    ),
    trustedProxies: Config.schema(Networks, "TRUSTED_PROXIES").pipe(
      Config.map((text) => itemsOf(text).map(networkOf)),
      Config.withDefault<ReadonlyArray<string>>([])
    )
  })

  static readonly layerEnv: Layer.Layer<ServerConfig, Config.ConfigError> = Layer.effect(
    ServerConfig,
    ServerConfig.fromEnv
  )

  static readonly layer = (settings: Partial<ServerSettings> = {}): Layer.Layer<ServerConfig> =>
    Layer.succeed(ServerConfig, { ...defaultServerSettings, ...settings })
}
