import { Effect, Schema, SchemaIssue } from "effect"
import { acceleratedPayment } from "./acceleratedPayment.ts"
import type { AnalysisDataset } from "./Dataset.ts"
import { CommonFilters, DEFAULT_FILTERS } from "./Filters.ts"
import { compareFindings, type Finding } from "./Finding.ts"
import { anyIndicator, type Indicator } from "./Indicator.ts"
import { minimalDumping } from "./minimalDumping.ts"
import { inStoredKeyOrder } from "./storedKeyOrder.ts"
import { partnership } from "./partnership.ts"
import { sumGrowth } from "./sumGrowth.ts"
import { superDumping } from "./superDumping.ts"

export class ParamsError extends Schema.TaggedError<ParamsError>()("ParamsError", {
  /** Where in the parameters the problem is, e.g. `indicators.super-dumping.threshold`. */
  path: Schema.String,
  /** What is wrong there, without the path: "Expected a value between 0 and 100". */
  reason: Schema.String
}) {
  /** Path and reason, so that the error alone (a log line, `Cause.pretty`) says which value to fix. */
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

export class DuplicateIndicatorError extends Schema.TaggedError<DuplicateIndicatorError>()("DuplicateIndicatorError", {
  code: Schema.String
}) {
  override get message(): string {
    return `an indicator with the code ${this.code} is registered already`
  }
}

/** An indicator's code: it starts every finding key (`<code>:<id>`), so it must not hold `:` or spaces. */
const CODE = /^[a-z0-9][a-z0-9._-]*$/u

export class InvalidIndicatorCodeError extends Schema.TaggedError<InvalidIndicatorCodeError>()(
  "InvalidIndicatorCodeError",
  { code: Schema.String }
) {
  override get message(): string {
    return `indicator code ${JSON.stringify(this.code)} must be lower-case letters, digits, '.', '_' or '-' (it starts every finding key)`
  }
}

/**
 * An indicator broke its contract with the engine: a finding under another indicator's code, a key not of the
 * form `<code>:…`, or one key twice. Stored findings are keyed across indicators, so such a finding would
 * silently overwrite another's. It is a bug in the indicator, raised as a defect.
 */
export class IndicatorContractViolation extends Error {
  override readonly name = "IndicatorContractViolation"
}

/** Parameters of a run as written in params.json (every part optional; defaults fill the rest). */
export const AnalysisParamsInput = Schema.Struct({
  filters: Schema.optional(Schema.Unknown),
  indicators: Schema.optional(Schema.Record(Schema.String, Schema.Unknown)),
  /** Run only these indicator codes (default: all registered); they run in the registry's order, each once. */
  only: Schema.optional(Schema.Array(Schema.String))
})
export type AnalysisParamsInput = typeof AnalysisParamsInput.Encoded

/**
 * Parameters resolved against a registry: decoded filters and one decoded parameter object per indicator to run,
 * in the registry's order whatever order `only` gave.
 */
export interface ResolvedParams {
  readonly filters: CommonFilters
  readonly indicators: ReadonlyArray<{ readonly indicator: Indicator<unknown>; readonly params: unknown }>
}

export interface IndicatorStats {
  readonly evaluated: number
  readonly flagged: number
  readonly skipped: Readonly<Record<string, number>>
}

export interface EvaluationResult {
  readonly findings: ReadonlyArray<Finding>
  readonly stats: Readonly<Record<string, IndicatorStats>>
}

/** A misspelt parameter ("threshhold") must be an error, not a silent run with the default. */
const STRICT = { onExcessProperty: "error" } as const

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * The first problem a decoding found, at its own path under `at` (`indicators.super-dumping.threshold`, not the
 * section): a caller needs the field to fix, and a one-line message that does not repeat the path.
 */
const paramsError = (at: ReadonlyArray<string>, error: Schema.SchemaError): ParamsError => {
  const issue = formatIssues(error.issue).issues[0]
  const below = (issue?.path ?? []).map((segment) =>
    String(typeof segment === "object" && segment !== null ? segment.key : segment)
  )
  const path = [...at, ...below]
  return new ParamsError({
    path: path.length === 0 ? "(params)" : path.join("."),
    reason: (issue?.message ?? error.message).split("\n")[0] ?? error.message
  })
}

const nullSection = (path: string) =>
  Effect.fail(new ParamsError({ path, reason: "null is not a section: leave the key out for the defaults" }))

/** The set of indicators a run evaluates. Immutable: `with` returns a new registry. */
export class IndicatorRegistry {
  private readonly byCode: ReadonlyMap<string, Indicator<unknown>>

  private constructor(byCode: ReadonlyMap<string, Indicator<unknown>>) {
    this.byCode = byCode
  }

  static readonly empty = new IndicatorRegistry(new Map())

  /** The five indicators of the design. */
  static readonly standard: IndicatorRegistry = [
    anyIndicator(superDumping),
    anyIndicator(minimalDumping),
    anyIndicator(acceleratedPayment),
    anyIndicator(sumGrowth),
    anyIndicator(partnership)
  ].reduce((registry, indicator) => registry.withUnsafe(indicator), IndicatorRegistry.empty)

  /** Adds an indicator; fails when its code is taken or cannot start a finding key. */
  with<P>(
    indicator: Indicator<P>
  ): Effect.Effect<IndicatorRegistry, DuplicateIndicatorError | InvalidIndicatorCodeError> {
    return !CODE.test(indicator.code)
      ? Effect.fail(new InvalidIndicatorCodeError({ code: indicator.code }))
      : this.byCode.has(indicator.code)
        ? Effect.fail(new DuplicateIndicatorError({ code: indicator.code }))
        : Effect.succeed(this.withUnsafe(anyIndicator(indicator)))
  }

  private withUnsafe(indicator: Indicator<unknown>): IndicatorRegistry {
    if (this.byCode.has(indicator.code)) throw new Error(`indicator ${indicator.code} is registered twice`)
    return new IndicatorRegistry(new Map([...this.byCode, [indicator.code, indicator]]))
  }

  get(code: string): Indicator<unknown> | undefined {
    return this.byCode.get(code)
  }

  get indicators(): ReadonlyArray<Indicator<unknown>> {
    return [...this.byCode.values()]
  }

  /** Decodes params.json content; every problem names its path. */
  resolve(input: unknown = {}): Effect.Effect<ResolvedParams, ParamsError> {
    return Effect.gen({ self: this }, function* () {
      const raw = yield* Schema.decodeUnknownEffect(
        AnalysisParamsInput,
        STRICT
      )(input).pipe(Effect.mapError((e) => paramsError([], e)))
      // null is not "the defaults" (`??` would have read it so): leaving the key out is.
      if (raw.filters === null) return yield* nullSection("filters")
      const filters = yield* Schema.decodeUnknownEffect(
        CommonFilters,
        STRICT
      )(raw.filters ?? {}).pipe(Effect.mapError((e) => paramsError(["filters"], e)))
      const sections = raw.indicators ?? {}
      for (const [code, section] of Object.entries(sections)) {
        if (section === null) return yield* nullSection(`indicators.${code}`)
      }
      for (const code of Object.keys(sections)) {
        if (!this.byCode.has(code)) {
          return yield* new ParamsError({
            path: `indicators.${code}`,
            reason: `unknown indicator; known: ${[...this.byCode.keys()].join(", ")}`
          })
        }
      }
      if (raw.only !== undefined && raw.only.length === 0) {
        return yield* new ParamsError({
          path: "only",
          reason: "an empty list runs no indicator: leave only out for every indicator"
        })
      }
      const unknown = (raw.only ?? []).findIndex((code) => !this.byCode.has(code))
      if (unknown >= 0) {
        return yield* new ParamsError({
          path: `only.${unknown}`,
          reason: `unknown indicator ${raw.only?.[unknown]}; known: ${[...this.byCode.keys()].join(", ")}`
        })
      }
      // In the registry's order, each once, however `only` lists them: a code named twice must run once (a second
      // run would emit every finding again under the same key), and the SQL engine compares a refresh's plan with
      // the last run's as text, so the order a caller happened to give would make the next refresh re-evaluate
      // every finding for nothing.
      const named = raw.only === undefined ? undefined : new Set(raw.only)
      const run = [...this.byCode.values()].filter((indicator) => named === undefined || named.has(indicator.code))
      const chosen: Array<{ indicator: Indicator<unknown>; params: unknown }> = []
      for (const indicator of run) {
        const code = indicator.code
        const params = yield* Schema.decodeUnknownEffect(
          indicator.params,
          STRICT
        )(sections[code] ?? {}).pipe(Effect.mapError((e) => paramsError(["indicators", code], e)))
        chosen.push({ indicator, params })
      }
      // A section of an indicator `only` leaves out is stored with the run all the same: it must be valid too.
      for (const [code, section] of Object.entries(sections)) {
        const indicator = this.byCode.get(code)
        // Unknown codes were refused above; chosen ones decoded with the run.
        if (indicator === undefined || run.includes(indicator)) continue
        yield* Schema.decodeUnknownEffect(
          indicator.params,
          STRICT
        )(section).pipe(Effect.mapError((e) => paramsError(["indicators", code], e)))
      }
      return { filters, indicators: chosen }
    })
  }

  /**
   * Where resolved parameters depart from the defaults (`filters.statusIds`, `indicators.super-dumping.threshold`),
   * compared in their encoded form; empty for a run of the defaults, whichever indicators it evaluates.
   */
  departuresFromDefaults(resolved: ResolvedParams): Effect.Effect<ReadonlyArray<string>> {
    return Effect.gen(function* () {
      const paths = differingPaths(
        "filters",
        yield* Schema.encodeUnknownEffect(CommonFilters)(resolved.filters),
        yield* Schema.encodeUnknownEffect(CommonFilters)(DEFAULT_FILTERS)
      )
      for (const { indicator, params } of resolved.indicators) {
        const defaults = yield* Effect.option(Schema.decodeUnknownEffect(indicator.params)({}))
        // An indicator of yours whose parameters have no defaults runs only with parameters given: all departures.
        if (defaults._tag === "None") {
          paths.push(`indicators.${indicator.code}`)
          continue
        }
        paths.push(
          ...differingPaths(
            `indicators.${indicator.code}`,
            yield* Schema.encodeUnknownEffect(indicator.params)(params),
            yield* Schema.encodeUnknownEffect(indicator.params)(defaults.value)
          )
        )
      }
      return paths
    }).pipe(
      // The values were decoded by these very schemas: encoding them back cannot fail.
      Effect.orDie
    )
  }
}

/** JSON text with object keys sorted, so that two encodings of equal values compare equal as text. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "undefined"
}

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** The paths under `at` where two encoded parameter sections differ: each differing key of two objects, else `at`. */
const differingPaths = (at: string, given: unknown, defaults: unknown): Array<string> => {
  if (!isPlainObject(given) || !isPlainObject(defaults))
    return canonicalJson(given) === canonicalJson(defaults) ? [] : [at]
  const keys = [...new Set([...Object.keys(given), ...Object.keys(defaults)])]
  return keys.filter((k) => canonicalJson(given[k]) !== canonicalJson(defaults[k])).map((k) => `${at}.${k}`)
}

/** Evaluates resolved indicators over a dataset. Findings come back in a deterministic order. */
export const evaluateIndicators = (dataset: AnalysisDataset, resolved: ResolvedParams): EvaluationResult => {
  const findings: Array<Finding> = []
  const stats: Record<string, IndicatorStats> = {}
  for (const { indicator, params } of resolved.indicators) {
    let evaluated = 0
    let flagged = 0
    const skipped: Record<string, number> = {}
    const keys = new Set<string>()
    const prefix = `${indicator.code}:`
    const declared = indicator.measureDocs === undefined ? undefined : new Set(indicator.measureDocs.map((m) => m.name))
    indicator.evaluate(dataset, params, resolved.filters, {
      emit: (finding) => {
        if (finding.indicator !== indicator.code || !finding.key.startsWith(prefix) || keys.has(finding.key)) {
          throw new IndicatorContractViolation(
            finding.indicator !== indicator.code
              ? `indicator ${indicator.code} emitted a finding of indicator ${finding.indicator}`
              : keys.has(finding.key)
                ? `indicator ${indicator.code} emitted the finding ${finding.key} twice`
                : `indicator ${indicator.code} emitted the key ${finding.key}, which does not start with ${prefix}`
          )
        }
        const undeclared =
          declared === undefined ? undefined : Object.keys(finding.measures).find((name) => !declared.has(name))
        if (undeclared !== undefined) {
          throw new IndicatorContractViolation(
            `indicator ${indicator.code} emitted the measure ${undeclared}, which its measureDocs do not declare`
          )
        }
        keys.add(finding.key)
        flagged++
        findings.push(inStoredKeyOrder(finding))
      },
      evaluated: () => {
        evaluated++
      },
      skip: (reason) => {
        skipped[reason] = (skipped[reason] ?? 0) + 1
      }
    })
    stats[indicator.code] = { evaluated, flagged, skipped }
  }
  findings.sort(compareFindings)
  return { findings, stats }
}
