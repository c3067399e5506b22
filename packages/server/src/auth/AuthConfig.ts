import { Config, Context, Duration, Layer, Option, Redacted, Schema } from "effect"

/** Authentication settings, from the environment (see docs/server.md). */
export interface AuthSettings {
  /** HS256 key for access tokens; none: a random key is generated at start (tokens then die with the process). */
  readonly jwtSecret: Option.Option<Redacted.Redacted<string>>
  readonly accessTokenTtl: Duration.Duration
  readonly refreshTokenTtl: Duration.Duration
  /** Failed logins allowed per username within `loginWindow`. */
  readonly loginMaxFailuresPerUser: number
  /** Failed logins allowed per client address within `loginWindow`. */
  readonly loginMaxFailuresPerAddress: number
  readonly loginWindow: Duration.Duration
}

export const defaultAuthSettings: AuthSettings = {
  jwtSecret: Option.none(),
  accessTokenTtl: Duration.minutes(15),
  refreshTokenTtl: Duration.days(30),
  loginMaxFailuresPerUser: 5,
  loginMaxFailuresPerAddress: 20,
  loginWindow: Duration.minutes(15)
}

/** The shortest HS256 key accepted, in bytes of UTF-8. */
export const MIN_SECRET_BYTES = 32

/** Checked when the setting is read, before the server writes anything (a demo load, the first admin). */
const Secret = Schema.String.check(
  Schema.makeFilter((text: string) =>
    text.trim().length === 0
      ? "must not be blank"
      : new TextEncoder().encode(text).length < MIN_SECRET_BYTES
        ? `must be at least ${MIN_SECRET_BYTES} bytes long`
        : true
  )
)

/** A duration that lasts: a zero or negative token lifetime issues tokens that are dead on arrival. */
const positiveDuration = (name: string, fallback: Duration.Duration) =>
  Config.schema(
    Schema.DurationFromString.check(
      Schema.makeFilter((d: Duration.Duration) =>
        Duration.isGreaterThan(d, Duration.zero) ? true : "must be longer than zero"
      )
    ),
    name
  ).pipe(Config.withDefault(fallback))

const positiveInt = (name: string, fallback: number) =>
  Config.schema(Schema.Int.check(Schema.isGreaterThan(0)), name).pipe(Config.withDefault(fallback))

export class AuthConfig extends Context.Service<AuthConfig, AuthSettings>()("@adalqarau/server/AuthConfig") {
  static readonly fromEnv: Config.Config<AuthSettings> = Config.all({
    jwtSecret: Config.option(Config.schema(Secret, "JWT_SECRET")).pipe(Config.map(Option.map(Redacted.make))),
    accessTokenTtl: positiveDuration("ACCESS_TOKEN_TTL", defaultAuthSettings.accessTokenTtl),
    refreshTokenTtl: positiveDuration("REFRESH_TOKEN_TTL", defaultAuthSettings.refreshTokenTtl),
    loginMaxFailuresPerUser: positiveInt("LOGIN_MAX_FAILURES_PER_USER", defaultAuthSettings.loginMaxFailuresPerUser),
    loginMaxFailuresPerAddress: positiveInt(
      "LOGIN_MAX_FAILURES_PER_ADDRESS",
      defaultAuthSettings.loginMaxFailuresPerAddress
    ),
    loginWindow: positiveDuration("LOGIN_WINDOW", defaultAuthSettings.loginWindow)
  })

  static readonly layerEnv: Layer.Layer<AuthConfig, Config.ConfigError> = Layer.effect(AuthConfig, AuthConfig.fromEnv)

  static readonly layer = (settings: Partial<AuthSettings> = {}): Layer.Layer<AuthConfig> =>
    Layer.succeed(AuthConfig, { ...defaultAuthSettings, ...settings })
}
