import {
  type Instant,
  IndicatorRunReport,
  type NewRun,
  type Run,
  RunFailure,
  type RunId,
  type RunListQuery,
  type RunPatch,
  type RunStatus,
  RunStore,
  RunStoreError,
  type UserId
} from "@adalqarau/core"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { epochMs, instantText, num, str, UnexpectedValue } from "../values.ts"
import { instant, instantOrNull, isStoredRunId, jsonText, jsonTextOrNull, limitOf, type Row } from "./rows.ts"

const storeError = (operation: string) => (cause: unknown) =>
  cause instanceof RunStoreError
    ? cause
    : new RunStoreError({ operation, message: cause instanceof Error ? cause.message : String(cause), cause })

// jsonb as text: see jsonText in rows.ts.
const RUN_SELECT = `id, status, params::text AS params, requested_by::text AS requested_by,
  ${epochMs("created_at")} AS created_at, ${epochMs("started_at")} AS started_at,
  ${epochMs("finished_at")} AS finished_at, report::text AS report, error::text AS error`

const STATUSES: ReadonlySet<string> = new Set<RunStatus>(["queued", "running", "succeeded", "failed"])

const statusOf = (value: unknown): RunStatus => {
  const status = str(value)
  if (!STATUSES.has(status)) throw new UnexpectedValue("run status", value)
  return status as RunStatus
}

// Report and error are checked against their schemas on the way out, so a row edited by hand cannot put a value
// of the wrong shape in front of the API's encoder.
const decodeReport = Schema.decodeUnknownSync(Schema.NullOr(IndicatorRunReport))
const decodeFailure = Schema.decodeUnknownSync(Schema.NullOr(RunFailure))
const decodeJson = Schema.decodeUnknownSync(Schema.Json)

const runOfRow = (r: Row): Run => ({
  id: num(r.id) as RunId,
  status: statusOf(r.status),
  params: decodeJson(jsonText(r.params)),
  requestedBy: str(r.requested_by) as UserId,
  createdAt: instant(r.created_at),
  startedAt: instantOrNull(r.started_at),
  finishedAt: instantOrNull(r.finished_at),
  report: decodeReport(jsonTextOrNull(r.report)),
  error: decodeFailure(jsonTextOrNull(r.error))
})

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value))

export const makePgRunStore = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const decodeOne = (operation: string, rows: ReadonlyArray<Row>) =>
    Effect.try({
      try: () => Option.map(Option.fromNullishOr(rows[0]), runOfRow),
      catch: storeError(operation)
    })

  const create = (input: NewRun) =>
    sql<Row>`
      INSERT INTO server_run (status, params, requested_by, created_at)
      VALUES ('queued', ${json(input.params)}::jsonb, ${input.requestedBy}::uuid, ${instantText(input.at)}::timestamptz)
      RETURNING ${sql.literal(RUN_SELECT)}`.pipe(
      Effect.flatMap((rows) => decodeOne("create", rows)),
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.fail(new RunStoreError({ operation: "create", message: "the insert returned no row" })),
          onSome: Effect.succeed
        })
      ),
      Effect.mapError(storeError("create"))
    )

  const get = (id: RunId) =>
    isStoredRunId(id)
      ? sql<Row>`SELECT ${sql.literal(RUN_SELECT)} FROM server_run WHERE id = ${id}`.pipe(
          Effect.flatMap((rows) => decodeOne("get", rows)),
          Effect.mapError(storeError("get"))
        )
      : Effect.succeed(Option.none<Run>())

  // Absent fields travel as NULL and COALESCE keeps the stored value: a patch sets fields, it never clears them.
  const update = (id: RunId, patch: RunPatch) =>
    isStoredRunId(id)
      ? sql<Row>`
          UPDATE server_run SET
            status = ${patch.status},
            started_at = COALESCE(${patch.startedAt === undefined ? null : instantText(patch.startedAt)}::timestamptz, started_at),
            finished_at = COALESCE(${patch.finishedAt === undefined ? null : instantText(patch.finishedAt)}::timestamptz, finished_at),
            report = COALESCE(${json(patch.report)}::jsonb, report),
            error = COALESCE(${json(patch.error)}::jsonb, error)
          WHERE id = ${id}
          RETURNING ${sql.literal(RUN_SELECT)}`.pipe(
          Effect.flatMap((rows) => decodeOne("update", rows)),
          Effect.mapError(storeError("update"))
        )
      : Effect.succeed(Option.none<Run>())

  // `id < beforeId` as the in-memory store reads it for any number a caller passes: NaN matches nothing, a bound
  // beyond every bigint (Infinity, 1e19) matches everything, and 2.5 matches ids up to 2. Handed to PostgreSQL as
  // given, those failed as bigint syntax or range errors.
  const beforeClause = (beforeId: number | undefined) =>
    beforeId === undefined || beforeId > Number.MAX_SAFE_INTEGER
      ? sql`TRUE`
      : Number.isNaN(beforeId)
        ? sql`FALSE`
        : sql`id < ${Math.max(Math.ceil(beforeId), Number.MIN_SAFE_INTEGER)}`

  const list = (query: RunListQuery) =>
    Effect.gen(function* () {
      const where = beforeClause(query.beforeId)
      const rows = yield* sql<Row>`
        SELECT ${sql.literal(RUN_SELECT)} FROM server_run WHERE ${where}
        ORDER BY id DESC LIMIT ${limitOf(query.limit)}`
      return yield* Effect.try({ try: (): ReadonlyArray<Run> => rows.map(runOfRow), catch: storeError("list") })
    }).pipe(Effect.mapError(storeError("list")))

  // One statement: the runs are found and marked together, so a run cannot start between the two.
  const failUnfinished = (at: Instant, message: string) =>
    sql<Row>`
      WITH failed AS (
        UPDATE server_run
        SET status = 'failed', finished_at = ${instantText(at)}::timestamptz,
            error = jsonb_build_object('message', ${message}::text, 'path', NULL)
        WHERE status IN ('queued', 'running')
        RETURNING 1
      )
      SELECT count(*) AS n FROM failed`.pipe(
      Effect.flatMap((rows) => Effect.try({ try: () => num(rows[0]?.n), catch: storeError("failUnfinished") })),
      Effect.mapError(storeError("failUnfinished"))
    )

  return RunStore.of({ create, get, update, list, failUnfinished })
})

export const layerPgRunStore: Layer.Layer<RunStore, never, SqlClient.SqlClient> = Layer.effect(RunStore, makePgRunStore)
