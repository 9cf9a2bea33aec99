// POST /orders' command: places an order once per idempotency key of its customer.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { newEvent } from '@choreo/contracts'
import type { Cause, Messaging } from '@choreo/messaging'
import { onceByKey } from '@choreo/platform'
import { requestHash } from '../../domain/request-hash.ts'
import { findKey, findUnscopedKey, insertKey, SAME_KEY_OTHER_REQUEST, scopedKey, type IdempotencyKey } from '../../repositories/idempotency-keys.ts'
import { appendHistory } from '../../repositories/order-history.ts'
import { insertLines } from '../../repositories/order-lines.ts'
import { insertOrder } from '../../repositories/orders.ts'
import type { PlaceOrderBody } from './schemas.ts'

export const DEFAULT_CURRENCY = 'EUR'

export type PlaceOrderInput = Required<PlaceOrderBody>

/**
 * Places an order once per idempotency key of its customer (scopedKey): the key, the order, its
 * lines, its first history row and OrderPlaced are written in one transaction. The key is claimed,
 * not looked up: a retry fails on the key's primary key (a concurrent one after waiting for the
 * first to commit), rolls back and gets the order the key placed. A new order, the usual case,
 * costs one lookup only, of a key from before keys were scoped. Returns the order id.
 */
export async function placeOrder(deps: { db: Knex; messaging: Messaging }, key: string, input: PlaceOrderInput, cause: Cause): Promise<string> {
  const hash = requestHash(input)
  const orderId = randomUUID()
  const scoped = scopedKey(input.customerId, key)
  return onceByKey<IdempotencyKey, string>({
    key,
    lookFirst: () => findUnscopedKey(deps.db, key, input.customerId),
    run: async () => {
      await deps.messaging.transaction(async (trx) => {
        const at = new Date()
        await insertKey(trx, { key: scoped, requestHash: hash, orderId }, at)
        await insertOrder(trx, { orderId, customerId: input.customerId, currency: input.currency, shippingAddress: input.shippingAddress, createdAt: at })
        await insertLines(trx, orderId, input.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPriceAmount: null })))
        await appendHistory(trx, { orderId, status: 'PENDING', event: 'OrderPlaced', eventId: null, reason: null, at })
        await deps.messaging.outbox.enqueue(trx, newEvent('OrderPlaced', { orderId, ...input }), cause)
      })
      return orderId
    },
    earlier: () => findKey(deps.db, scoped),
    sameRequest: (earlier) => earlier.requestHash === hash,
    usedFor: () => SAME_KEY_OTHER_REQUEST,
    replay: (earlier) => earlier.orderId,
  })
}
