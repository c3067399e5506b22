import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import {
  analyzeStream,
  completeBin,
  type Finding,
  Finding as FindingSchema,
  ProcurementSource,
  ProcurementSourceError,
  type RecordRejection,
  type SourceItem
} from "@adalqarau/core"
import { Effect, Schema, Stream } from "effect"
import { afterAll, beforeAll } from "vitest"
import {
  analyzeJsonlFolder,
  csvField,
  csvRecord,
  type DatasetItem,
  FINDINGS_CSV_COLUMNS,
  findingCsvFields,
  findingCsvRecord,
  findingsFormatOf,
  GROUND_TRUTH_FILE,
  JsonlFolderSource,
  jsonlFolderItems,
  jsonlFolderListing,
  TextFileWriter,
  writeDataset,
  writeFindings
} from "../src/files/index.ts"
import { decodeJsonlLine, isUnprintable } from "../src/files/decodeJsonlLine.ts"

const CUSTOMER = completeBin("00074000130") as string
const SUPPLIER = completeBin("99014000123") as string

const contract = (id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  parent_id: null,
  root_id: id,
  ref_contract_status_id: 390,
  ref_contract_type_id: 1,
  ref_contract_year_type_id: 1,
  crdate: "2023-03-14 10:20:30",
  sign_date: "2023-03-15 09:00:00",
  customer_bin: CUSTOMER,
  supplier_biin: SUPPLIER,
  contract_sum_wnds: 1000000,
  description_ru: 'Поставка, "канцтовары"',
  ...overrides
})

const line = (value: unknown): string => JSON.stringify(value)

/** contracts.jsonl: line numbers in comments; blank lines are not records. */
const CONTRACT_LINES = [
  line(contract(1)), // 1 good
  "", // 2 blank
  '{"id": 2, "crdate": ', // 3 bad JSON
  line(contract(3, { customer_bin: "123456789012" })), // 4 bad BIN (check digit)
  line(contract(4, { contract_sum_wnds: -5 })), // 5 negative sum
  line(contract(5, { sign_date: "2023-02-30" })), // 6 not a real date
  line({ ...contract(6), id: undefined }), // 7 missing id
  "[1, 2, 3]", // 8 not an object
  line({ total: 2, limit: 2, next_page: "", items: [contract(7), contract(8, { crdate: "yesterday" })] }), // 9 page
  "   \t", // 10 blank
  `${line(contract(9))}\r` // 11 good, CRLF
]

const SUBJECT_LINES = [line({ bin: CUSTOMER, name_ru: "Акимат", kato: "711110000" }), line({ bin: SUPPLIER, kato: 75 })]

let root: string
let folder: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "adalqarau-files-"))
  folder = join(root, "ows")
  await mkdir(folder)
  // The last line has no line break.
  await writeFile(join(folder, "contracts.jsonl"), CONTRACT_LINES.join("\n"))
  await writeFile(join(folder, "subjects.jsonl"), `\uFEFF${SUBJECT_LINES.join("\n")}\n`)
  await writeFile(join(folder, "notes.txt"), "not a kind file")
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const collect = (stream: Stream.Stream<SourceItem, ProcurementSourceError>) =>
  Effect.map(Stream.runCollect(stream), (items) => Array.from(items))

const rejectionsOf = (items: ReadonlyArray<SourceItem>): Array<RecordRejection> =>
  items.flatMap((item) => (item._tag === "Rejected" ? [item.rejection] : []))

const acceptedIds = (items: ReadonlyArray<SourceItem>): Array<string> =>
  items.flatMap((item) =>
    item._tag === "Accepted"
      ? [
          item.record.kind === "subject"
            ? `subject:${item.record.value.bin}`
            : `${item.record.kind}:${String(item.record.value.id)}`
        ]
      : []
  )

describe("JSONL folder source", () => {
  it.effect("accepts good records and rejects each bad line with its file, line, field and reason", () =>
    Effect.gen(function* () {
      const items = yield* collect(jsonlFolderItems(folder))
      const contracts = join(folder, "contracts.jsonl")
      // Subjects come first (reading order), the BOM is skipped, a numeric KATO is accepted.
      assert.deepStrictEqual(acceptedIds(items), [
        `subject:${CUSTOMER}`,
        `subject:${SUPPLIER}`,
        "contract:1",
        "contract:7",
        "contract:9"
      ])
      const rejections = rejectionsOf(items).map((r) => ({
        source: r.source,
        line: r.line,
        field: r.field,
        recordId: r.recordId
      }))
      assert.deepStrictEqual(rejections, [
        { source: contracts, line: 3, field: "(json)", recordId: undefined },
        { source: contracts, line: 4, field: "customer_bin", recordId: "3" },
        { source: contracts, line: 5, field: "contract_sum_wnds", recordId: "4" },
        { source: contracts, line: 6, field: "sign_date", recordId: "5" },
        { source: contracts, line: 7, field: "id", recordId: undefined },
        { source: contracts, line: 8, field: "(record)", recordId: undefined },
        { source: contracts, line: 9, field: "crdate", recordId: "8" }
      ])
      const reasons = rejectionsOf(items).map((r) => r.reason)
      assert.match(reasons[0]!, /^invalid JSON: /u)
      assert.match(reasons[3]!, /not a real calendar date/u)
      assert.match(reasons[4]!, /required field is missing/u)
      assert.match(reasons[5]!, /expected a JSON object/u)
      assert.match(reasons[6]!, /\(item 2 of 2 of the page\)$/u)
      for (const r of rejectionsOf(items)) assert.strictEqual(r.kind, "contract")
      // The text a report prints names file, line, field, value and reason.
      assert.match(rejectionsOf(items)[3]!.text, /contracts\.jsonl:6: contract 5 field sign_date = "2023-02-30": /u)
    })
  )

  it.effect("counts read = accepted + rejected through analyzeStream", () =>
    Effect.gen(function* () {
      const report = yield* analyzeStream(jsonlFolderItems(folder))
      const { total, byKind } = report.input
      assert.deepStrictEqual(byKind.contract, { read: 10, accepted: 3, rejected: 7 })
      assert.deepStrictEqual(byKind.subject, { read: 2, accepted: 2, rejected: 0 })
      assert.strictEqual(total.read, total.accepted + total.rejected)
      assert.strictEqual(total.read, 12)
    })
  )

  it.effect("gives the same items whatever the read chunk size (lines split across chunks)", () =>
    Effect.gen(function* () {
      const whole = yield* collect(jsonlFolderItems(folder))
      for (const chunkSize of [1, 5, 64]) {
        const pieces = yield* collect(jsonlFolderItems(folder, { chunkSize }))
        assert.deepStrictEqual(acceptedIds(pieces), acceptedIds(whole))
        assert.deepStrictEqual(
          rejectionsOf(pieces).map((r) => r.text),
          rejectionsOf(whole).map((r) => r.text)
        )
      }
    })
  )

  it.effect("rejects a line longer than the limit without holding it, and goes on", () =>
    Effect.gen(function* () {
      const dir = join(root, "long")
      yield* Effect.promise(async () => {
        await mkdir(dir)
        const long = line(contract(20, { description_ru: "x".repeat(5000) }))
        await writeFile(join(dir, "contracts.jsonl"), `${long}\n${line(contract(21))}\n${long}`)
      })
      const items = yield* collect(jsonlFolderItems(dir, { chunkSize: 512, maxLineBytes: 1000 }))
      assert.deepStrictEqual(acceptedIds(items), ["contract:21"])
      assert.deepStrictEqual(
        rejectionsOf(items).map((r) => [r.line, r.field, r.reason]),
        [
          [1, "(json)", "line longer than 1000 bytes; not read"],
          [3, "(json)", "line longer than 1000 bytes; not read"]
        ]
      )
    })
  )

  it.effect(
    "keeps every odd line accounted for, with a bounded report: huge ids and values, deep nesting, odd spaces",
    () =>
      Effect.gen(function* () {
        const dir = join(root, "odd")
        const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`
        const lines = [
          // A huge id and a huge date: the report shows each shortened, not megabytes.
          JSON.stringify({ ...contract(30), id: "9".repeat(2_000_000) }),
          JSON.stringify({ ...contract(31), crdate: "2".repeat(500_000) }),
          // Valid JSON nested 200,000 levels, on a line with a long number (read exactly, by a recursive walk).
          line(contract(32, { supplier_iik: "123456789012345678" })).replace(/\}$/u, `,"deep":${deep}}`),
          // Whitespace JSON does not know: not a blank line to skip, but a line that is not JSON.
          "\u00a0",
          "\u2028\ufeff",
          line(contract(33))
        ]
        yield* Effect.promise(async () => {
          await mkdir(dir)
          await writeFile(join(dir, "contracts.jsonl"), `${lines.join("\n")}\n\n \t\n`)
        })
        const items = yield* collect(jsonlFolderItems(dir))
        assert.deepStrictEqual(acceptedIds(items), ["contract:33"])
        const rejections = rejectionsOf(items)
        assert.deepStrictEqual(
          rejections.map((r) => [r.line, r.field]),
          [
            [1, "id"],
            [2, "crdate"],
            [3, "(json)"],
            [4, "(json)"],
            [5, "(json)"]
          ]
        )
        for (const r of rejections) assert.isBelow(r.text.length, 700, r.text.slice(0, 200))
        assert.match(rejections[0]?.recordId ?? "", /^9{64}… \(1999936 more characters\)$/u)
        assert.match(rejections[1]?.reason ?? "", /… \(\d+ more characters\)$/u)
        assert.strictEqual(
          rejections[2]?.reason,
          "nested too deeply to read (thousands of levels of arrays or objects); not read"
        )
        assert.match(rejections[3]?.reason ?? "", /^invalid JSON: /u)
      })
  )

  it.effect("is a ProcurementSource layer", () =>
    Effect.gen(function* () {
      const source = yield* ProcurementSource
      assert.include(source.description, folder)
      const items = yield* collect(source.items)
      assert.strictEqual(items.length, 12)
      // A source's stream can be run again.
      assert.strictEqual((yield* collect(source.items)).length, 12)
    }).pipe(Effect.provide(JsonlFolderSource.layer(folder)))
  )

  it.effect("fails with ProcurementSourceError naming the path for a missing folder, a file, or no kind file", () =>
    Effect.gen(function* () {
      const missing = join(root, "nope")
      const error1 = yield* Effect.flip(collect(jsonlFolderItems(missing)))
      assert.instanceOf(error1, ProcurementSourceError)
      assert.strictEqual(error1.source, missing)
      assert.strictEqual(error1.message, `cannot read folder ${missing}: does not exist`)

      const file = join(folder, "notes.txt")
      const error2 = yield* Effect.flip(collect(jsonlFolderItems(file)))
      assert.strictEqual(error2.message, `cannot read folder ${file}: it is not a folder`)

      const empty = join(root, "empty")
      yield* Effect.promise(() => mkdir(empty))
      const error3 = yield* Effect.flip(collect(jsonlFolderItems(empty)))
      assert.match(error3.message, /holds none of the OWS JSONL files \(subjects\.jsonl, refs\.jsonl, lots\.jsonl/u)
    })
  )

  it.effect("refuses, before reading, a kind file in UTF-16 or with CR-only line ends; CRLF reads as LF", () =>
    Effect.gen(function* () {
      const lines = [contract(1), contract(2)].map((c) => JSON.stringify(c))
      const utf16le = (text: string) => Buffer.from(text, "utf16le")
      const utf16be = (text: string) => utf16le(text).swap16()
      const cases: ReadonlyArray<readonly [string, Buffer, string]> = [
        ["le-bom", Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(lines.join("\n"))]), "byte-order mark FF FE"],
        ["be-bom", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(lines.join("\n"))]), "byte-order mark FE FF"],
        ["le", utf16le(lines.join("\n")), "a NUL byte beside every character"],
        ["be", utf16be(lines.join("\n")), "a NUL byte beside every character"],
        ["cr", Buffer.from(`${lines.join("\r")}\r`), "its lines end with CR alone"]
      ]
      for (const [name, bytes, reason] of cases) {
        const dir = join(root, `encoding-${name}`)
        yield* Effect.promise(() => mkdir(dir))
        const path = join(dir, "contracts.jsonl")
        yield* Effect.promise(() => writeFile(path, bytes))
        const error = yield* Effect.flip(collect(jsonlFolderItems(dir)))
        assert.instanceOf(error, ProcurementSourceError)
        assert.strictEqual(error.source, path)
        assert.include(error.message, `cannot read file ${path}: it`)
        assert.include(error.message, reason)
        const fast = yield* Effect.flip(analyzeJsonlFolder(dir))
        assert.strictEqual(fast.message, error.message)
      }
      const crlf = join(root, "encoding-crlf")
      yield* Effect.promise(() => mkdir(crlf))
      yield* Effect.promise(() => writeFile(join(crlf, "contracts.jsonl"), `${lines.join("\r\n")}\r\n`))
      const items = yield* collect(jsonlFolderItems(crlf))
      assert.deepStrictEqual(
        items.map((item) => item._tag),
        ["Accepted", "Accepted"]
      )
    })
  )

  it.effect("refuses a kind file that is a named pipe or a device, before reading anything", () =>
    Effect.gen(function* () {
      const pipe = join(root, "pipe")
      yield* Effect.promise(() => mkdir(pipe))
      execFileSync("mkfifo", [join(pipe, "contracts.jsonl")])
      const device = join(root, "device")
      yield* Effect.promise(() => mkdir(device))
      yield* Effect.promise(() => symlink("/dev/zero", join(device, "contracts.jsonl")))
      for (const [dir, what] of [
        [pipe, "a named pipe"],
        [device, "a device"]
      ] as const) {
        const path = join(dir, "contracts.jsonl")
        const expected = `cannot read file ${path}: it is ${what}, not a regular file: write the records to a file first`
        const error = yield* Effect.flip(collect(jsonlFolderItems(dir)))
        assert.include(error.message, expected)
        assert.include((yield* Effect.flip(analyzeJsonlFolder(dir))).message, expected)
      }
    })
  )

  it.effect("lists the regular files it does not read, naming the kind file a near miss meant", () =>
    Effect.gen(function* () {
      const dir = join(root, "misnamed")
      const names = [
        "lots.jsonl",
        "contract.jsonl",
        "Contract_Units.jsonl",
        "treasury_payments.json",
        "acts.jsonl",
        // Known, not data (generate, the benchmark's cache), and hidden: never reported.
        "ground_truth.jsonl",
        "bench-dataset.json",
        ".DS_Store"
      ]
      yield* Effect.promise(async () => {
        await mkdir(join(dir, "a-folder.jsonl"), { recursive: true })
        for (const name of names) await writeFile(join(dir, name), "")
      })
      const listing = yield* jsonlFolderListing(dir)
      assert.deepStrictEqual(
        listing.files.map((f) => f.kind),
        ["lot"]
      )
      assert.deepStrictEqual(listing.unread, [
        { name: "acts.jsonl" },
        { name: "Contract_Units.jsonl", didYouMean: "contract_units.jsonl" },
        { name: "contract.jsonl", didYouMean: "contracts.jsonl" },
        { name: "treasury_payments.json", didYouMean: "treasury_payments.jsonl" }
      ])

      // With no kind file at all, the failure names what the folder holds instead.
      const none = join(root, "misnamed-only")
      yield* Effect.promise(async () => {
        await mkdir(none)
        await writeFile(join(none, "Contracts.JSONL"), "")
      })
      const error = yield* Effect.flip(jsonlFolderListing(none))
      assert.match(error.message, /; it holds Contracts\.JSONL \(did you mean contracts\.jsonl\?\)$/u)
    })
  )
})

const finding = (overrides: Partial<Finding> = {}): Finding =>
  Schema.decodeUnknownSync(FindingSchema)({
    indicator: "super-dumping",
    key: "super-dumping:42",
    subject: { _tag: "contract", contractId: 42 },
    customerBin: CUSTOMER,
    supplierBin: SUPPLIER,
    region: "71",
    date: Date.UTC(2023, 2, 15, 3, 0, 0),
    measures: { plan_sum: "1000.00", contract_sum: "500.00", reduction_pct: "50.0000" },
    thresholds: { threshold_pct: "30" },
    explanation: {
      ru: 'Сумма "договора", ниже плановой\nна 50%',
      en: "The contract sum, 500.00 KZT, is 50% below the plan"
    },
    ...overrides
  })

/** A small RFC 4180 reader, to check that what the writer quotes reads back intact. */
const parseCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ",") {
      row.push(field)
      field = ""
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field)
      rows.push(row)
      row = []
      field = ""
      i++
    } else field += c
  }
  return rows
}

describe("reasons of lines that are not JSON", () => {
  it("write control characters and a mid-file byte-order mark as escapes, never raw", () => {
    const out: Array<SourceItem> = []
    const decode = decodeJsonlLine("contract", "contracts.jsonl")
    decode("\u001b[31mRED\u001b[0m", 1, out)
    decode('\ufeff{"id":1}', 2, out)
    const reasons = out.map((item) => (item._tag === "Rejected" ? item.rejection.reason : ""))
    assert.include(reasons[0], "\\u001b")
    assert.include(reasons[1], "\\ufeff")
    for (const reason of reasons) assert.isFalse([...reason].some((c) => isUnprintable(c.charCodeAt(0))))
  })
})

describe("numbers of more than 15 significant digits", () => {
  it("are read from the line's text, not from the double JSON.parse rounds them to", () => {
    const out: Array<SourceItem> = []
    const decode = decodeJsonlLine("contract", "contracts.jsonl")
    const line = (fields: string) => `{"crdate":"2023-03-14 10:20:30",${fields}}`
    decode(line('"id":1,"contract_sum_wnds":80000000000000.01'), 1, out)
    decode(line('"id":2,"contract_sum_wnds":1.0000000000000001'), 2, out)
    decode(line('"id":9007199254740993'), 3, out)
    decode(line('"id":4,"contract_sum_wnds":12345.5,"supplier_iik":"KZ000000000020038912"'), 4, out)
    const [exact, precise, large, plain] = out
    const sumOf = (item: SourceItem | undefined): number | null | false =>
      item?._tag === "Accepted" && item.record.kind === "contract" && item.record.value.contractSumWnds
    assert.strictEqual(sumOf(exact), 8_000_000_000_000_001)
    assert.include(
      precise?._tag === "Rejected" ? precise.rejection.text : "",
      'field contract_sum_wnds = "1.0000000000000001"'
    )
    assert.include(
      large?._tag === "Rejected" ? large.rejection.text : "",
      'field id = "9007199254740993": integer beyond 2^53 − 1'
    )
    assert.strictEqual(sumOf(plain), 1_234_550)
  })
})

describe("findings writers", () => {
  it("quotes CSV fields holding commas, quotes and line breaks (RFC 4180)", () => {
    assert.strictEqual(csvField("plain"), "plain")
    assert.strictEqual(csvField("a,b"), '"a,b"')
    assert.strictEqual(csvField('say "hi"'), '"say ""hi"""')
    assert.strictEqual(csvField("two\nlines"), '"two\nlines"')
    // A finding's free text that a spreadsheet would run as a formula is written as text.
    const fields = findingCsvFields(
      finding({
        measures: { "-x": "1" },
        explanation: { ru: '=HYPERLINK("http://evil","click")', en: "@SUM(A1)" }
      })
    )
    assert.deepStrictEqual(fields.slice(-4), [
      "'-x=1",
      "threshold_pct=30",
      `'=HYPERLINK("http://evil","click")`,
      "'@SUM(A1)"
    ])
    assert.strictEqual(csvField("cr\rlf"), '"cr\rlf"')
    assert.strictEqual(csvRecord(["a", "b,c", ""]), 'a,"b,c",\r\n')
  })

  it("writes one CSV record per finding with the documented columns", () => {
    const record = findingCsvRecord(finding())
    const [fields] = parseCsv(record)
    assert.deepStrictEqual(fields, [
      "super-dumping",
      "super-dumping:42",
      "contract",
      "42",
      CUSTOMER,
      SUPPLIER,
      "71",
      "Astana",
      "2023-03-15T09:00:00+06:00",
      "plan_sum=1000.00; contract_sum=500.00; reduction_pct=50.0000",
      "threshold_pct=30",
      'Сумма "договора", ниже плановой\nна 50%',
      "The contract sum, 500.00 KZT, is 50% below the plan"
    ])
    const pair = parseCsv(
      findingCsvRecord(
        finding({
          indicator: "partnership",
          key: `partnership:${CUSTOMER}:${SUPPLIER}`,
          subject: Schema.decodeUnknownSync(FindingSchema.fields.subject)({
            _tag: "pair",
            customerBin: CUSTOMER,
            supplierBin: SUPPLIER
          }),
          region: null,
          date: null
        })
      )
    )[0]!
    assert.deepStrictEqual([pair[2], pair[3], pair[6], pair[7], pair[8]], ["pair", "", "", "", ""])
  })

  it.effect("chooses the format by extension and round-trips both", () =>
    Effect.gen(function* () {
      const findings = [finding(), finding({ key: "super-dumping:43" })]
      const csvPath = join(root, "out", "findings.csv")
      assert.strictEqual(yield* writeFindings(csvPath, findings), 2)
      const rows = parseCsv(yield* Effect.promise(() => readFile(csvPath, "utf8")))
      assert.deepStrictEqual(rows[0], [...FINDINGS_CSV_COLUMNS])
      assert.strictEqual(rows.length, 3)
      assert.deepStrictEqual(
        rows.map((r) => r[1]),
        ["key", "super-dumping:42", "super-dumping:43"]
      )

      for (const name of ["findings.jsonl", "findings.ndjson"]) {
        const path = join(root, "out", name)
        assert.strictEqual(yield* writeFindings(path, findings), 2)
        const text = yield* Effect.promise(() => readFile(path, "utf8"))
        const back = text
          .trimEnd()
          .split("\n")
          .map((l) => Schema.decodeUnknownSync(FindingSchema)(JSON.parse(l)))
        assert.deepStrictEqual(back, findings)
      }
      // .json is one JSON array, which JSON.parse reads whole; an empty one too.
      const arrayPath = join(root, "out", "findings.json")
      assert.strictEqual(yield* writeFindings(arrayPath, findings), 2)
      const array: unknown = JSON.parse(yield* Effect.promise(() => readFile(arrayPath, "utf8")))
      assert.deepStrictEqual(Schema.decodeUnknownSync(Schema.Array(FindingSchema))(array), findings)
      assert.strictEqual(yield* writeFindings(arrayPath, []), 0)
      assert.deepStrictEqual(JSON.parse(yield* Effect.promise(() => readFile(arrayPath, "utf8"))), [])

      const error = yield* Effect.flip(writeFindings(join(root, "out", "findings.txt"), findings))
      assert.strictEqual(error._tag, "UnsupportedFindingsFormat")
      assert.match(
        error.message,
        /unknown extension \.txt; use \.jsonl or \.ndjson for JSON lines, \.json for a JSON array, or \.csv/u
      )
      assert.strictEqual(
        yield* Effect.flip(findingsFormatOf("findings")).pipe(Effect.map((e) => e._tag)),
        "UnsupportedFindingsFormat"
      )
      assert.strictEqual(yield* findingsFormatOf("F.CSV"), "csv")
    })
  )
})

describe("dataset writer", () => {
  const items: ReadonlyArray<DatasetItem> = [
    { kind: "subject", raw: { bin: CUSTOMER, kato: "711110000" } },
    { kind: "contract", raw: contract(1) },
    { kind: "contract", raw: contract(2) },
    { kind: "label", label: { indicator: "super-dumping", key: "super-dumping:1", expected: "flag", case: "x" } }
  ]

  it.effect("writes each kind to its file and labels to ground_truth.jsonl, and truncates stale files", () =>
    Effect.gen(function* () {
      const dir = join(root, "dataset", "nested")
      yield* Effect.promise(async () => {
        await mkdir(dir, { recursive: true })
        await writeFile(join(dir, "refs.jsonl"), `${line({ book: "stale", id: 1, name_ru: "x" })}\n`)
      })
      const counts = yield* writeDataset(dir, items)
      assert.strictEqual(counts.records, 3)
      assert.strictEqual(counts.labels, 1)
      assert.deepStrictEqual(
        counts.files.map((f) => [f.file, f.records]),
        [
          ["subjects.jsonl", 1],
          ["refs.jsonl", 0],
          ["lots.jsonl", 0],
          ["contracts.jsonl", 2],
          ["contract_units.jsonl", 0],
          ["treasury_payments.jsonl", 0],
          [GROUND_TRUTH_FILE, 1]
        ]
      )
      const truth = yield* Effect.promise(() => readFile(join(dir, GROUND_TRUTH_FILE), "utf8"))
      assert.deepStrictEqual(JSON.parse(truth), items[3]!.kind === "label" ? items[3]!.label : undefined)
      const back = yield* collect(jsonlFolderItems(dir))
      assert.deepStrictEqual(acceptedIds(back), [`subject:${CUSTOMER}`, "contract:1", "contract:2"])
    })
  )

  it.effect("takes a Stream as well, with backpressure over many records", () =>
    Effect.gen(function* () {
      const dir = join(root, "dataset-stream")
      const many = Stream.range(1, 20_000).pipe(
        Stream.map((id): DatasetItem => ({ kind: "contract", raw: contract(id) }))
      )
      const counts = yield* writeDataset(dir, many)
      assert.strictEqual(counts.records, 20_000)
      const report = yield* analyzeStream(jsonlFolderItems(dir))
      assert.deepStrictEqual(report.input.byKind.contract, { read: 20_000, accepted: 20_000, rejected: 0 })
    })
  )

  it.effect("TextFileWriter waits on drain and keeps the order of the text", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const path = join(root, "writer", "lines.txt")
        const writer = yield* TextFileWriter.open(path, { bufferSize: 64, highWaterMark: 128 })
        let waits = 0
        for (let i = 0; i < 5000; i++) {
          if (!writer.write(`line ${i}\n`)) {
            waits++
            yield* writer.ready
          }
        }
        yield* writer.close
        const lines = (yield* Effect.promise(() => readFile(path, "utf8"))).trimEnd().split("\n")
        assert.strictEqual(lines.length, 5000)
        assert.strictEqual(lines[4999], "line 4999")
        assert.isAbove(waits, 0)
      })
    )
  )

  it.effect("fails with FileWriteError naming the path when the file cannot be created", () =>
    Effect.gen(function* () {
      const blocker = join(root, "blocker")
      yield* Effect.promise(() => writeFile(blocker, "a file, not a folder"))
      const error = yield* Effect.flip(writeDataset(join(blocker, "sub"), items))
      assert.strictEqual(error._tag, "FileWriteError")
      assert.include(error.message, join(blocker, "sub"))
    })
  )
})
