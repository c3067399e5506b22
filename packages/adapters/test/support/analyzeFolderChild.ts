/**
 * `analyzeJsonlFolder` of a folder on the calling thread, in a process of its own (run by the tests with a heap
 * limit); prints the input counts as JSON.
 *
 *   node analyzeFolderChild.ts DIR
 */
import { Effect } from "effect"
import { analyzeJsonlFolder } from "../../src/files/index.ts"

const dir = process.argv[2]
if (dir === undefined) throw new Error("usage: analyzeFolderChild.ts DIR")
const report = await Effect.runPromise(analyzeJsonlFolder(dir, { threads: 0 }))
console.log(JSON.stringify(report.input.total))
