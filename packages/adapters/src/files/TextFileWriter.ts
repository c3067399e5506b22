import type { WriteStream } from "node:fs"
import { mkdir, open } from "node:fs/promises"
import { dirname } from "node:path"
import { Effect, type Scope } from "effect"
import { FileWriteError } from "./FileWriteError.ts"
import { fsProblem } from "./fsProblem.ts"

export interface TextFileWriterOptions {
  /** Text gathered before one write to the file (default 256 KiB, in UTF-16 code units). */
  readonly bufferSize?: number
  /** Bytes the file stream may queue before `write` asks the caller to wait (default 4 MiB). */
  readonly highWaterMark?: number
}

/**
 * A text file written with backpressure: `write` gathers text and hands it to the file in large pieces; when the
 * file stream's queue is full it returns `false`, and the caller waits on `ready` (the stream's `'drain'`). The
 * first write error is kept and reported by `ready` and `close`. Opened in a scope: left unclosed (interrupted,
 * failed), the file is closed without flushing.
 */
export class TextFileWriter {
  private parts: Array<string> = []
  private size = 0
  private blocked = false
  private failure: FileWriteError | undefined
  private closed = false

  readonly path: string
  private readonly stream: WriteStream
  private readonly bufferSize: number

  private constructor(path: string, stream: WriteStream, bufferSize: number) {
    this.path = path
    this.stream = stream
    this.bufferSize = bufferSize
    stream.on("error", (cause) => {
      this.failure ??= writeError(path, cause)
    })
    stream.on("drain", () => {
      this.blocked = false
    })
  }

  /** Creates (or truncates) the file, and its folder when missing. */
  static open(
    path: string,
    options: TextFileWriterOptions = {}
  ): Effect.Effect<TextFileWriter, FileWriteError, Scope.Scope> {
    return Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await mkdir(dirname(path), { recursive: true })
          const handle = await open(path, "w")
          const stream = handle.createWriteStream({ highWaterMark: options.highWaterMark ?? 4 << 20 })
          return new TextFileWriter(path, stream, options.bufferSize ?? 256 << 10)
        },
        catch: (cause) => writeError(path, cause)
      }),
      (writer) => (writer.closed ? Effect.void : Effect.sync(() => writer.abort()))
    )
  }

  /** Appends text; `false` means: wait on `ready` before writing more. */
  write(text: string): boolean {
    this.parts.push(text)
    this.size += text.length
    if (this.size >= this.bufferSize) this.flush()
    return !this.blocked
  }

  /** Succeeds once the file stream can take more text; fails with the first write error. */
  get ready(): Effect.Effect<void, FileWriteError> {
    return Effect.suspend(() => {
      if (this.failure !== undefined) return Effect.fail(this.failure)
      if (!this.blocked) return Effect.void
      return Effect.callback<void, FileWriteError>((resume) => {
        const onDrain = () => {
          cleanup()
          resume(Effect.void)
        }
        const onError = (cause: unknown) => {
          cleanup()
          resume(Effect.fail(this.failure ?? writeError(this.path, cause)))
        }
        const cleanup = () => {
          this.stream.off("drain", onDrain)
          this.stream.off("error", onError)
        }
        this.stream.on("drain", onDrain)
        this.stream.on("error", onError)
        return Effect.sync(cleanup)
      })
    })
  }

  /** Writes what is gathered, closes the file and waits until it is closed. */
  get close(): Effect.Effect<void, FileWriteError> {
    return Effect.suspend(() => {
      if (this.closed) return this.failure === undefined ? Effect.void : Effect.fail(this.failure)
      this.closed = true
      this.flush()
      const outcome = (): Effect.Effect<void, FileWriteError> =>
        this.failure === undefined ? Effect.void : Effect.fail(this.failure)
      // A stream that failed is already destroyed and will not emit 'close' again.
      if (this.stream.destroyed) return outcome()
      return Effect.callback<void, FileWriteError>((resume) => {
        this.stream.once("close", () => resume(outcome()))
        this.stream.end()
      })
    })
  }

  private flush(): void {
    if (this.size === 0 && this.parts.length === 0) return
    const text = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join("")
    this.parts = []
    this.size = 0
    if (this.failure !== undefined) return
    if (!this.stream.write(text)) this.blocked = true
  }

  private abort(): void {
    this.closed = true
    this.parts = []
    this.stream.destroy()
  }
}

const writeError = (path: string, cause: unknown): FileWriteError =>
  new FileWriteError({ path, message: `cannot write ${path}: ${fsProblem(cause)}`, cause })
