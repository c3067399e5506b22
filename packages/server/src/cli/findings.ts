import { findingsFormatOf, writeFindings } from "@adalqarau/adapters/files"
import {
  Bin,
  type Finding,
  type FindingPage,
  FindingQuery,
  FindingStore,
  Findings,
  formatAlmaty,
  IndicatorCatalog,
  type InvalidInput,
  parseTimestamp,
  REGION_CODES,
  type RegionCode
} from "@adalqarau/core"
import { Console, Effect, Option, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import { type CliFailure, runFailure, usageFailure } from "./CliFailure.ts"
import { withDatabase } from "./database.ts"
import { formatCount, renderTable } from "./output.ts"

export interface FindingsCommandOptions {
  readonly indicators: ReadonlyArray<string>
  readonly regions: ReadonlyArray<string>
  readonly customer?: string
  readonly supplier?: string
  readonly from?: string
  readonly to?: string
  readonly limit: number
  readonly out?: string
  readonly json: boolean
}

const PAGE = 5000

const decodeBin = (flag: string, value: string) =>
  Schema.decodeUnknownEffect(Bin)(value).pipe(Effect.mapError((e) => usageFailure(`--${flag}: ${e.message}`)))

const decodeDay = (flag: string, value: string, endOfDay: boolean) => {
  const parsed = parseTimestamp(endOfDay && value.length === 10 ? `${value} 23:59:59.999` : value)
  return typeof parsed === "string" ? Effect.fail(usageFailure(`--${flag}: ${parsed}`)) : Effect.succeed(parsed)
}

/**
 * A filter the catalogue refused (`Findings.checkFindingFilter`), said with the flags as given: the fields it
 * names are the request's.
 */
const refusedFilter = Effect.fn("cli.findings.refusedFilter")(function* (
  refusal: InvalidInput,
  options: FindingsCommandOptions
) {
  const indicator = /^indicators\.(\d+)$/u.exec(refusal.field)?.[1]
  if (indicator !== undefined) {
    const known = (yield* IndicatorCatalog).indicators.map((i) => i.code)
    return usageFailure(
      `--indicator ${options.indicators[Number(indicator)]}: unknown indicator; known: ${known.join(", ")}`
    )
  }
  if (refusal.field === "dateTo") {
    return usageFailure(`--to ${options.to} is before --from ${options.from}: the range holds nothing`)
  }
  return usageFailure(`${refusal.field}: ${refusal.message}`)
})

/** Builds the store query from the flags; every value is validated before the database is touched. */
const buildQuery = (options: FindingsCommandOptions) =>
  Effect.gen(function* () {
    for (const region of options.regions) {
      if (!(REGION_CODES as ReadonlyArray<string>).includes(region)) {
        return yield* usageFailure(`--region ${region}: not a region code; known: ${REGION_CODES.join(", ")}`)
      }
    }
    const input = {
      limit: Math.min(options.limit, PAGE),
      ...(options.indicators.length === 0 ? {} : { indicators: options.indicators }),
      ...(options.regions.length === 0 ? {} : { regions: options.regions as ReadonlyArray<RegionCode> }),
      ...(options.customer === undefined ? {} : { customerBin: yield* decodeBin("customer", options.customer) }),
      ...(options.supplier === undefined ? {} : { supplierBin: yield* decodeBin("supplier", options.supplier) }),
      ...(options.from === undefined ? {} : { dateFrom: yield* decodeDay("from", options.from, false) }),
      ...(options.to === undefined ? {} : { dateTo: yield* decodeDay("to", options.to, true) })
    }
    const query = yield* Schema.decodeUnknownEffect(FindingQuery)(input).pipe(
      Effect.mapError((e) => usageFailure(e.message))
    )
    // A wrong filter is a wrong invocation, not an empty answer that reads as "no risks": the server's checks.
    yield* Findings.checkFindingFilter(query).pipe(
      Effect.catchTag("InvalidInput", (refusal) => Effect.flatMap(refusedFilter(refusal, options), Effect.fail))
    )
    return query
  })

const measuresText = (f: Finding): string =>
  Object.entries(f.measures)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ")

/**
 * Prints stored findings matching the filters, or exports all of them to a .csv, .jsonl or .json file. The flags
 * are checked before the database is opened: a wrong one is a wrong invocation (exit 2) whatever the database's
 * state, and opening an embedded one for it would create and migrate it first.
 */
export const runFindings = (options: FindingsCommandOptions): Effect.Effect<void, CliFailure> =>
  Effect.gen(function* () {
    if (options.limit < 1) return yield* usageFailure("--limit must be at least 1")
    // A file name whose format is unknown is a wrong invocation, found before the findings are read.
    if (options.out !== undefined) {
      yield* findingsFormatOf(options.out).pipe(Effect.mapError((e) => usageFailure(e.message)))
    }
    const query = yield* buildQuery(options)
    return yield* withDatabase(readFindings(options, query))
  })

const readFindings = (options: FindingsCommandOptions, query: FindingQuery) =>
  Effect.gen(function* () {
    const store = yield* FindingStore
    const wanted = options.out === undefined ? options.limit : Number.POSITIVE_INFINITY
    const found: Array<Finding> = []
    let afterKey: string | null = null
    do {
      const page: FindingPage = yield* store
        .query(afterKey === null ? query : { ...query, afterKey })
        .pipe(Effect.mapError((e) => runFailure(`reading findings failed: ${e.message}`)))
      found.push(...page.findings.slice(0, wanted - found.length))
      afterKey = page.nextKey
    } while (afterKey !== null && found.length < wanted)
    if (options.out !== undefined) {
      yield* writeFindings(options.out, found).pipe(Effect.mapError((e) => runFailure(e.message)))
      yield* Console.log(`${formatCount(found.length)} findings written to ${options.out}`)
      return
    }
    const more = afterKey === null ? "" : " (more match: raise --limit or use --out)"
    const shown = `${formatCount(found.length)} ${found.length === 1 ? "finding" : "findings"} shown${more}`
    if (options.json) {
      yield* Console.log(JSON.stringify(found, null, 2))
      // stdout stays one JSON value for a pipe; that it was cut short goes to stderr.
      if (more !== "") yield* Console.error(`note: ${shown}`)
      return
    }
    yield* Console.log(
      renderTable({
        columns: [
          { header: "indicator" },
          { header: "key" },
          { header: "region" },
          { header: "date" },
          { header: "measures" }
        ],
        rows: found.map((f) => [
          f.indicator,
          f.key,
          f.region ?? "?",
          f.date === null ? "" : formatAlmaty(f.date).slice(0, 10),
          measuresText(f)
        ])
      })
    )
    yield* Console.log(shown)
  })

export const findingsCommand = Command.make(
  "findings",
  {
    indicator: Flag.String("indicator").pipe(Flag.withDescription("Indicator code (repeatable)"), Flag.atLeast(0)),
    region: Flag.String("region").pipe(
      Flag.withDescription("Customer region code, e.g. 75 (repeatable)"),
      Flag.atLeast(0)
    ),
    customer: Flag.String("customer").pipe(Flag.withDescription("Customer BIN"), Flag.optional),
    supplier: Flag.String("supplier").pipe(Flag.withDescription("Supplier BIN"), Flag.optional),
    from: Flag.String("from").pipe(Flag.withDescription("Finding date from (YYYY-MM-DD, Almaty)"), Flag.optional),
    to: Flag.String("to").pipe(Flag.withDescription("Finding date to, inclusive (YYYY-MM-DD, Almaty)"), Flag.optional),
    limit: Flag.Int("limit").pipe(
      Flag.withDescription("How many findings to print (--out writes every match)"),
      Flag.withDefault(50)
    ),
    out: Flag.String("out").pipe(
      Flag.withDescription("Export every match to .csv, .jsonl/.ndjson (JSON lines) or .json (a JSON array)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print the findings as JSON"), Flag.withDefault(false))
  },
  (input) =>
    runFindings({
      indicators: input.indicator,
      regions: input.region,
      limit: input.limit,
      json: input.json,
      ...Option.match(input.customer, { onNone: () => ({}), onSome: (customer) => ({ customer }) }),
      ...Option.match(input.supplier, { onNone: () => ({}), onSome: (supplier) => ({ supplier }) }),
      ...Option.match(input.from, { onNone: () => ({}), onSome: (from) => ({ from }) }),
      ...Option.match(input.to, { onNone: () => ({}), onSome: (to) => ({ to }) }),
      ...Option.match(input.out, { onNone: () => ({}), onSome: (out) => ({ out }) })
    })
).pipe(Command.withDescription("Print or export the stored findings, filtered by indicator, region, BIN and dates"))
