import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { newEvent } from '@choreo/contracts'
import type { Cause, Messaging } from '@choreo/messaging'
import { requestHash } from '../../domain/request-hash.ts'
import { findKey, findUnscopedKey, IdempotencyKeyTaken, insertKey, scopedKey, type IdempotencyKey } from '../../repositories/idempotency-keys.ts'
import { appendHistory } from '../../repositories/order-history.ts'
import { insertLines } from '../../repositories/order-lines.ts'
import { insertOrder } from '../../repositories/orders.ts'
import { assertSameRequest } from './key-reuse.ts'
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
  const unscoped = await findUnscopedKey(deps.db, key, input.customerId)
  if (unscoped) return replay(unscoped, hash, key)
  const scoped = scopedKey(input.customerId, key)
  try {
    await deps.messaging.transaction(async (trx) => {
      const at = new Date()
      await insertKey(trx, { key: scoped, requestHash: hash, orderId }, at)
      await insertOrder(trx, { orderId, customerId: input.customerId, currency: input.currency, shippingAddress: input.shippingAddress, createdAt: at })
      await insertLines(trx, orderId, input.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPriceAmount: null })))
      await appendHistory(trx, { orderId, status: 'PENDING', event: 'OrderPlaced', eventId: null, reason: null, at })
      await deps.messaging.outbox.enqueue(trx, newEvent('OrderPlaced', { orderId, ...input }), cause)
    })
    return orderId
  } catch (err) {
    if (!(err instanceof IdempotencyKeyTaken)) throw err
    const winner = await findKey(deps.db, scoped)
    if (!winner) throw err
    return replay(winner, hash, key)
  }
}

function replay(existing: IdempotencyKey, hash: string, key: string): string {
  assertSameRequest(existing, hash, key)
  return existing.orderId
}
