// `pnpm build` (and each package's `prepack`): compiles the packages' TypeScript sources into `dist/` — JavaScript,
// declarations and source maps — for the published packages, which Node runs without stripping types (it refuses to
// under node_modules). The workspace itself runs the sources; `publishConfig` points the packed packages at `dist/`.
//
//   node scripts/build.ts [core|adapters|server ...]   (default: all three, in dependency order)
//
// A package builds against the declarations of the packages it imports, so those are built first, always: stale
// declarations of a dependency would let a package compile against an API that no longer exists.
import { execFileSync } from "node:child_process"
import { cpSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"

const ORDER = ["core", "adapters", "server"] as const
type PackageName = (typeof ORDER)[number]
const NEEDS: Record<PackageName, ReadonlyArray<PackageName>> = {
  core: [],
  adapters: ["core"],
  server: ["core", "adapters"]
}

const root = fileURLToPath(new URL("../", import.meta.url))
const packageDir = (name: PackageName) => `${root}packages/${name}`
const tsc = `${root}node_modules/.bin/tsc`

const isPackage = (name: string): name is PackageName => (ORDER as ReadonlyArray<string>).includes(name)

const build = (name: PackageName) => {
  const dir = packageDir(name)
  rmSync(`${dir}/dist`, { recursive: true, force: true })
  execFileSync(tsc, ["-p", `${dir}/tsconfig.build.json`], { stdio: "inherit" })
  if (name === "adapters") {
    // The published adapters apply their migrations from the package (`src/packageFiles.ts`); the repository keeps
    // the one source of them at the top level.
    rmSync(`${dir}/migrations`, { recursive: true, force: true })
    cpSync(`${root}migrations`, `${dir}/migrations`, { recursive: true })
  }
  process.stderr.write(`built @adalqarau/${name} into packages/${name}/dist\n`)
}

const asked = process.argv.slice(2)
const unknown = asked.filter((name) => !isPackage(name))
if (unknown.length > 0) {
  process.stderr.write(`unknown package ${unknown.join(", ")}: expected one of ${ORDER.join(", ")}\n`)
  process.exit(2)
}
const wanted = asked.length === 0 ? ORDER : ORDER.filter((name) => asked.includes(name))
for (const name of ORDER) {
  if (wanted.some((w) => w === name || NEEDS[w].includes(name))) build(name)
}
