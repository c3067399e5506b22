/**
 * The C++ build of the line scanner (native/lineScanner.cc), when this host has one: the same filter as
 * `LineScanner`, a few times faster. native/build.mjs builds it where a C++ compiler and Node's headers are at hand:
 * this repository's `pnpm install` runs it, a project that installs the package runs it itself (the package has no
 * install script, which pnpm refuses in a dependency unless approved). Without it, or with
 * `ADALQARAU_NATIVE_SCANNER=0`, the fast path runs the TypeScript scanner and reads the same records.
 */
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { almatyTransitions } from "@adalqarau/core/lexical"
import type { KindSpec } from "./kinds.ts"

interface LineScannerAddon {
  readonly setZone: (at: Float64Array, offset: Float64Array) => void
  readonly makeScanner: (
    slots: number,
    rules: Int32Array,
    required: Uint8Array,
    fieldSlots: Int32Array,
    keys: ReadonlyArray<string>,
    keyIdentities: Int32Array
  ) => number
  readonly scanLine: (
    scanner: number,
    bytes: Uint8Array,
    from: number,
    to: number,
    row: Float64Array,
    textEnd: Int32Array
  ) => number
  readonly scanLines: (
    scanner: number,
    bytes: Uint8Array,
    from: number,
    stopBefore: number,
    maxLineBytes: number,
    rows: Float64Array,
    rowIndex: number,
    out: Float64Array
  ) => void
}

/** Where the build puts the addon: the package's `native/build`, from `src/files/fast` and `dist/files/fast` alike. */
export const NATIVE_SCANNER_PATH = fileURLToPath(new URL("../../../native/build/lineScanner.node", import.meta.url))
const BUILD_SCRIPT = fileURLToPath(new URL("../../../native/build.mjs", import.meta.url))

const isScannerAddon = (value: unknown): value is LineScannerAddon =>
  typeof value === "object" &&
  value !== null &&
  ["setZone", "makeScanner", "scanLine", "scanLines"].every(
    (name) => typeof (value as Record<string, unknown>)[name] === "function"
  )

type Loaded = { readonly addon: LineScannerAddon } | { readonly absence: string }

const load = (): Loaded => {
  if (process.env.ADALQARAU_NATIVE_SCANNER === "0") return { absence: "turned off by ADALQARAU_NATIVE_SCANNER=0" }
  if (!existsSync(NATIVE_SCANNER_PATH)) {
    return { absence: `not built (run node ${BUILD_SCRIPT} where g++ is found; it writes ${NATIVE_SCANNER_PATH})` }
  }
  try {
    const exported: unknown = createRequire(import.meta.url)(NATIVE_SCANNER_PATH)
    if (!isScannerAddon(exported)) return { absence: `cannot be loaded: ${NATIVE_SCANNER_PATH} is another addon` }
    const zone = almatyTransitions()
    exported.setZone(zone.at, zone.offset)
    return { addon: exported }
  } catch (cause) {
    // A build for another platform, say: the TypeScript scanner reads the same records; the reason is kept.
    return { absence: `cannot be loaded: ${cause instanceof Error ? cause.message : String(cause)}` }
  }
}

// Loaded when first asked for, not when this module is: a damaged addon file can bring the process down as it loads,
// and then only a command that reads JSONL should meet it.
let loaded: Loaded | undefined
const loadedOnce = (): Loaded => {
  loaded ??= load()
  return loaded
}
const addonOf = (): LineScannerAddon | undefined => {
  const once = loadedOnce()
  return "addon" in once ? once.addon : undefined
}

/** Why the native scanner is not used, or `undefined` when it is. */
export const nativeScannerAbsence = (): string | undefined => {
  const once = loadedOnce()
  return "absence" in once ? once.absence : undefined
}

/** Why `scanLines` stopped. */
export const ALL_READ = 0
export const ROWS_FULL = 1
export const LINE_FOR_CALLER = 2

const ALIAS = -3

/**
 * The addon's scanner of a spec, made once per spec and thread: the addon keeps what it makes for the thread's
 * life, and a reader is made per file read (an import, a stream), so a long-running server would otherwise keep a
 * scanner per file it ever read. Sharing is safe: the state a scanner carries from line to line is a guess of the
 * next key, checked byte for byte, and every line's values are copied out to the caller.
 */
const scannerIds = new WeakMap<KindSpec, number>()

const scannerIdOf = (native: LineScannerAddon, spec: KindSpec): number => {
  const known = scannerIds.get(spec)
  if (known !== undefined) return known
  const keys: Array<string> = []
  const identities: Array<number> = []
  spec.fields.forEach((f, field) => {
    keys.push(f.name)
    identities.push(field)
    if (f.alias !== undefined) {
      keys.push(f.alias)
      identities.push(ALIAS)
    }
  })
  const id = native.makeScanner(
    spec.slots,
    Int32Array.from(spec.fields, (f) => f.rule),
    Uint8Array.from(spec.fields, (f) => (f.required ? 1 : 0)),
    Int32Array.from(spec.fields, (f) => f.slot),
    keys,
    Int32Array.from(identities)
  )
  scannerIds.set(spec, id)
  return id
}

/** A native scanner of one record kind; its state (the key order of the last lines) lives in the addon. */
export class NativeLineScanner {
  private readonly native: LineScannerAddon
  /** The addon's scanner: one per spec and thread, shared by every `NativeLineScanner` of that spec. */
  readonly id: number
  /** After `scanLines`: the next line's start, rows written, lines read, why it stopped. */
  readonly out = new Float64Array(4)
  /** After `scan` accepted a line: its values, as `LineScanner.row` and `LineScanner.textEnd` hold them. */
  readonly row: Float64Array
  readonly textEnd: Int32Array

  private constructor(native: LineScannerAddon, spec: KindSpec) {
    this.native = native
    this.row = new Float64Array(spec.slots)
    this.textEnd = new Int32Array(spec.slots)
    this.id = scannerIdOf(native, spec)
  }

  /** The native scanner of a kind, or `undefined` when there is no addon. */
  static of(spec: KindSpec): NativeLineScanner | undefined {
    const addon = addonOf()
    return addon === undefined ? undefined : new NativeLineScanner(addon, spec)
  }

  /**
   * `LineScanner.scan`: reads the line `bytes[from, to)` (without its line break) and gives its verdict, its values
   * in `row` and `textEnd` when it is a row. One call per line, for readers that build a record per line; a
   * reader of whole blocks calls `scanLines`.
   */
  scan(bytes: Uint8Array, _view: DataView, from: number, to: number): number {
    return this.native.scanLine(this.id, bytes, from, to, this.row, this.textEnd)
  }

  /**
   * Reads the lines that start in `bytes[from, stopBefore)` (each must end with a line feed inside `bytes`) into
   * `rows` from row `rowIndex` (for kinds that keep no text: `rows` has no room for where texts end), until one
   * needs the caller (too long, or one the scanner cannot vouch for) or `rows` is full; see `out`.
   */
  scanLines(
    bytes: Uint8Array,
    from: number,
    stopBefore: number,
    maxLineBytes: number,
    rows: Float64Array,
    rowIndex: number
  ): void {
    this.native.scanLines(this.id, bytes, from, stopBefore, maxLineBytes, rows, rowIndex, this.out)
  }
}
