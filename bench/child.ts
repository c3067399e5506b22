import { spawn } from "node:child_process"
import { access, mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

const GNU_TIME = "/usr/bin/time"

/** Whether GNU time is installed (it gives the peak RSS of a child and its children from outside). */
export const hasGnuTime = async (): Promise<boolean> =>
  access(GNU_TIME).then(
    () => true,
    () => false
  )

export interface ChildRun<A> {
  /** What the child printed as its last stdout line (JSON). */
  readonly output: A
  readonly wallMs: number
  /** Peak resident set size in MiB: GNU time's when installed, else the child's own `maxRSS`. */
  readonly peakRssMiB: number
}

/**
 * Runs `node script args…` in a child process and reads its peak RSS, so that every system is measured alone in a
 * fresh process. The child prints one JSON line last; `maxRssKiB` in it is the fallback RSS figure.
 */
export const runChild = async <A extends { readonly maxRssKiB: number }>(
  script: string,
  args: ReadonlyArray<string>,
  useGnuTime: boolean,
  env: Readonly<Record<string, string>> = {}
): Promise<ChildRun<A>> => {
  const scratch = await mkdtemp(join(tmpdir(), "adalqarau-bench-"))
  const timeFile = join(scratch, "time.txt")
  const command = useGnuTime ? GNU_TIME : process.execPath
  const commandArgs = useGnuTime
    ? ["-f", "%M %e", "-o", timeFile, process.execPath, script, ...args]
    : [script, ...args]
  try {
    const started = performance.now()
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(command, commandArgs, {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, ...env }
        })
        let out = ""
        let err = ""
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          out += chunk
        })
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
          err += chunk
        })
        child.on("error", reject)
        child.on("close", (exit) => resolve({ code: exit, stdout: out, stderr: err }))
      }
    )
    const wallMs = performance.now() - started
    if (code !== 0) throw new Error(`${script} ${args.join(" ")} exited with ${code}:\n${stderr.slice(-4000)}`)
    const last = stdout.trimEnd().split("\n").at(-1) ?? ""
    const output = JSON.parse(last) as A
    let peakKiB = output.maxRssKiB
    if (useGnuTime) {
      const [rss] = (await readFile(timeFile, "utf8")).trim().split(/\s+/u)
      peakKiB = Number(rss)
    }
    return { output, wallMs, peakRssMiB: Math.round(peakKiB / 1024) }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
