import { Effect, Schema } from "effect"
import { HttpServerResponse } from "effect/http"

/**
 * The JSON response for a value, encoded through its schema (checks included) once per value object: the finding
 * page cache hands out the same page object until the findings change, so a busy list view pays for encoding and
 * serialising a page (about a third of the request) once, not on every request. Keys are held weakly: an entry goes
 * with its page.
 */
const utf8 = new TextEncoder()
const jsonResponse = (body: Uint8Array) => HttpServerResponse.uint8Array(body, { contentType: "application/json" })

export const encodedOnce = <
  S extends Schema.Top & { readonly DecodingServices: never; readonly EncodingServices: never }
>(
  schema: S
) => {
  const encode = Schema.encodeEffect(schema)
  // UTF-8 bytes rather than text: Node would otherwise transcode the (largely Cyrillic) text on every write.
  const bodies = new WeakMap<S["Type"] & object, Uint8Array>()
  return (value: S["Type"] & object): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const known = bodies.get(value)
    if (known !== undefined) return Effect.succeed(jsonResponse(known))
    return encode(value).pipe(
      // As the HTTP API does with a body its schema refuses: our own output failed, a defect.
      Effect.orDie,
      Effect.map((encoded) => {
        const body = utf8.encode(JSON.stringify(encoded))
        bodies.set(value, body)
        return jsonResponse(body)
      })
    )
  }
}
