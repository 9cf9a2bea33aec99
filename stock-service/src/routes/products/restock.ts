// POST /products/:productId/restock's command: adds units to what is available, once per idempotency key.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { NotFound, onceByKey, Unprocessable } from '@choreo/platform'
import { findProduct, lockProducts, MAX_UNITS, restockProduct, type Product } from '../../repositories/products.ts'
import { findRestockByKey, insertRestock, type Restock } from '../../repositories/restocks.ts'

/**
 * Adds `quantity` units to the product. A retry with the key gets the product as it is now and
 * adds nothing; the key with another product or quantity is refused (422). Too many units for
 * the product is a 422 that leaves the key unused.
 */
export async function restock(db: Knex, request: { key: string; productId: string; quantity: number }): Promise<Product> {
  const { key, productId, quantity } = request
  return onceByKey<Restock, Product>({
    key,
    run: () => db.transaction(async (trx) => {
      // The product's row lock also queues a concurrent retry of this restock behind this one.
      const product = (await lockProducts(trx, [productId])).get(productId)
      if (!product) throw new NotFound('product', productId, 'productId')
      await insertRestock(trx, { restockId: randomUUID(), idempotencyKey: key, productId, quantity })
      const result = await restockProduct(trx, productId, quantity)
      // Thrown inside the transaction: the restock row goes with it, so the key stays unused.
      if (result === 'too-many') throw new Unprocessable(`product ${productId} cannot hold more than ${MAX_UNITS} units`, { field: 'quantity', rule: 'max-units' })
      if (result === 'not-found') throw new Error(`product ${productId} vanished under its row lock`)
      return result
    }),
    earlier: () => findRestockByKey(db, key),
    sameRequest: (earlier) => earlier.productId === productId && earlier.quantity === quantity,
    usedFor: () => 'another restock',
    replay: async () => {
      const product = await findProduct(db, productId)
      if (!product) throw new NotFound('product', productId, 'productId')
      return product
    },
  })
}
