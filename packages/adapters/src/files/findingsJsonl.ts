import { Finding } from "@adalqarau/core"
import { Schema } from "effect"

const encodeFinding = Schema.encodeSync(Finding)

/** One finding as one JSON line, encoded by the `Finding` schema. */
export const findingJsonLine = (finding: Finding): string => `${JSON.stringify(encodeFinding(finding))}\n`
