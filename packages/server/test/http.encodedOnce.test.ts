import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import type { HttpServerResponse } from "effect/http"
import { encodedOnce } from "../src/http/encodedOnce.ts"

const Page = Schema.Struct({ day: Schema.Date, items: Schema.Array(Schema.String.check(Schema.isMinLength(1))) })

const bodyText = (response: HttpServerResponse.HttpServerResponse) => {
  assert.strictEqual(response.body._tag, "Uint8Array")
  return response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : ""
}

describe("encodedOnce", () => {
  it.effect("answers with the schema's encoding as UTF-8 JSON, the same bytes for the same object", () =>
    Effect.gen(function* () {
      const respond = encodedOnce(Page)
      const page = { day: new Date(Date.UTC(2024, 2, 1)), items: ["Первая оплата", "b"] }
      const first = yield* respond(page)
      assert.strictEqual(first.headers["content-type"], "application/json")
      assert.deepStrictEqual(JSON.parse(bodyText(first)), {
        day: "2024-03-01T00:00:00.000Z",
        items: ["Первая оплата", "b"]
      })
      const again = yield* respond(page)
      assert.strictEqual(
        again.body._tag === "Uint8Array" && first.body._tag === "Uint8Array" ? again.body.body : undefined,
        first.body._tag === "Uint8Array" ? first.body.body : null,
        "encoded once"
      )
      // Another object with equal content is encoded on its own.
      const copy = yield* respond({ ...page, items: ["c"] })
      assert.deepStrictEqual(JSON.parse(bodyText(copy)).items, ["c"])
    })
  )

  it.effect("treats a value its schema refuses as a defect, as the HTTP API does", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(encodedOnce(Page)({ day: new Date(0), items: [""] }))
      assert.isTrue(Exit.hasDies(exit))
    })
  )
})
