import type { Prng } from "./prng.ts"

/**
 * A bounded random reorder: each new item takes a random place in a fixed window and pushes out the item that
 * held it. Records of one chain thus reach the stream apart and out of order, while memory stays fixed.
 */
export class LocalShuffle<A> {
  private readonly window: Array<A> = []
  private readonly size: number
  private readonly prng: Prng

  constructor(size: number, prng: Prng) {
    this.size = size
    this.prng = prng
  }

  /** Takes `item` in; returns the item it displaced, if the window was full. */
  push(item: A): A | undefined {
    if (this.window.length < this.size) {
      this.window.push(item)
      return undefined
    }
    const at = this.prng.int(0, this.size - 1)
    const out = this.window[at]
    this.window[at] = item
    return out
  }

  /** Empties the window. */
  drain(): Array<A> {
    return this.window.splice(0)
  }
}
