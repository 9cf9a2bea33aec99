import { describe, expect, it } from 'vitest'
import { givenProduct, stockOf, useStockApp } from '../testing/harness.ts'
import { dispatchUnits, lockProducts, reserveUnits, StockMoveFailed, unreserveUnits } from './products.ts'

const h = useStockApp('products')

describe('moving units of several products in one statement', () => {
  it('moves each product\'s units, adding up a product named twice', async () => {
    const [a, b] = [await givenProduct(h.app.db, 10), await givenProduct(h.app.db, 5)]
    await h.app.db.transaction(async (trx) => {
      await lockProducts(trx, [a, b])
      await reserveUnits(trx, [{ productId: a, quantity: 3 }, { productId: b, quantity: 5 }, { productId: a, quantity: 1 }])
    })
    expect([await stockOf(h.app.db, a), await stockOf(h.app.db, b)]).toEqual([{ available: 6, reserved: 4 }, { available: 0, reserved: 5 }])
    await h.app.db.transaction(async (trx) => {
      await lockProducts(trx, [a, b])
      await unreserveUnits(trx, [{ productId: a, quantity: 1 }, { productId: b, quantity: 0 }])
      await dispatchUnits(trx, [{ productId: a, quantity: 3 }, { productId: b, quantity: 5 }])
    })
    expect([await stockOf(h.app.db, a), await stockOf(h.app.db, b)]).toEqual([{ available: 7, reserved: 0 }, { available: 0, reserved: 0 }])
  })

  it('moves none when one product does not hold the units, naming it', async () => {
    const [a, b] = [await givenProduct(h.app.db, 10), await givenProduct(h.app.db, 2)]
    const attempt = h.app.db.transaction(async (trx) => {
      await lockProducts(trx, [a, b])
      await reserveUnits(trx, [{ productId: a, quantity: 3 }, { productId: b, quantity: 3 }])
    })
    await expect(attempt).rejects.toBeInstanceOf(StockMoveFailed)
    await expect(attempt).rejects.toThrow(`cannot reserve 3 unit(s) of product ${b}`)
    expect([await stockOf(h.app.db, a), await stockOf(h.app.db, b)]).toEqual([{ available: 10, reserved: 0 }, { available: 2, reserved: 0 }])
  })
})
