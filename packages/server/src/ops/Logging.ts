import { Config, Layer, Logger, References, Schema } from "effect"

const LogLevel = Schema.Literals(["Trace", "Debug", "Info", "Warn", "Error", "Fatal", "None"])

/**
 * Structured logs: one JSON object per line on stdout (`LOG_FORMAT=json`, the default) with the annotations —
 * `requestId` on everything a request does — or human-readable lines (`LOG_FORMAT=pretty`). `LOG_LEVEL` sets the
 * minimum level (default Info).
 */
export const layerLoggingFromEnv: Layer.Layer<never, Config.ConfigError> = Layer.unwrap(
  Config.all({
    format: Config.schema(Schema.Literals(["json", "pretty"]), "LOG_FORMAT").pipe(Config.withDefault("json" as const)),
    level: Config.schema(LogLevel, "LOG_LEVEL").pipe(Config.withDefault("Info" as const))
  }).pipe(
    Config.map(({ format, level }) =>
      Layer.mergeAll(
        Logger.layer([format === "json" ? Logger.consoleJson : Logger.consolePretty()]),
        Layer.succeed(References.MinimumLogLevel, level)
      )
    )
  )
)

export const layerJsonLogging: Layer.Layer<never> = Logger.layer([Logger.consoleJson])
