import type { Prng } from "./prng.ts"

/**
 * Record ids. Each entity has its own increasing counter with small random gaps, as a live system's sequences
 * look after rollbacks; ids never repeat within a dataset.
 */
export class IdAllocator {
  private readonly prng: Prng
  private contract = 10_000_000
  private unit = 40_000_000
  private lot = 30_000_000
  private payment = 70_000_000
  private trdBuy = 5_000_000
  private plnPoint = 90_000_000

  constructor(prng: Prng) {
    this.prng = prng
  }

  contractId(): number {
    this.contract += this.prng.int(1, 3)
    return this.contract
  }

  unitId(): number {
    this.unit += 1
    return this.unit
  }

  lotId(): number {
    this.lot += this.prng.int(1, 2)
    return this.lot
  }

  paymentId(): number {
    this.payment += 1
    return this.payment
  }

  trdBuyId(): number {
    this.trdBuy += this.prng.int(1, 4)
    return this.trdBuy
  }

  plnPointId(): number {
    this.plnPoint += this.prng.int(1, 5)
    return this.plnPoint
  }
}
