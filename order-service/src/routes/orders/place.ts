import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { newEvent } from '@choreo/contracts'
import type { Cause, Messaging } from '@choreo/messaging'
import { requestHash } from '../../domain/request-hash.ts'
import { findKey, IdempotencyKeyTaken, insertKey, type IdempotencyKey } from '../../repositories/idempotency-keys.ts'
import { appendHistory } from '../../repositories/order-history.ts'
import { insertLines } from '../../repositories/order-lines.ts'
import { insertOrder } from '../../repositories/orders.ts'
import { assertSameRequest } from './key-reuse.ts'
import type { OrderDetail, PlaceOrderBody } from './schemas.ts'

export const DEFAULT_CURRENCY = 'EUR'

export type PlaceOrderInput = Required<PlaceOrderBody>

/** What placing gives: the new order as written, or the id of the one an earlier request with the key placed. */
export type Placed = { placed: OrderDetail } | { replayed: string }

/**
 * Places an order once per idempotency key: the key, the order, its lines, its first history
 * row and OrderPlaced are written in one transaction. The key is claimed first, not looked up:
 * a retry fails on the key's primary key (a concurrent one after waiting for the first to
 * commit), rolls back and gets the order the key placed. A new order, the usual case, costs no
 * lookup, and its answer is built from what was written rather than read back.
 */
export async function placeOrder(deps: { db: Knex; messaging: Messaging }, key: string, input: PlaceOrderInput, cause: Cause): Promise<Placed> {
  const hash = requestHash(input)
  const orderId = randomUUID()
  const at = new Date()
  const lines = [...input.items].sort((a, b) => (a.productId < b.productId ? -1 : 1)).map((i) => ({ productId: i.productId, quantity: i.quantity, unitPriceAmount: null }))
  try {
    await deps.messaging.transaction(async (trx) => {
      await insertKey(trx, { key, requestHash: hash, orderId }, at)
      await insertOrder(trx, { orderId, customerId: input.customerId, currency: input.currency, shippingAddress: input.shippingAddress, createdAt: at })
      await insertLines(trx, orderId, lines)
      await appendHistory(trx, { orderId, status: 'PENDING', event: 'OrderPlaced', eventId: null, reason: null, at })
      await deps.messaging.outbox.enqueue(trx, newEvent('OrderPlaced', { orderId, ...input }), cause)
    })
  } catch (err) {
    if (!(err instanceof IdempotencyKeyTaken)) throw err
    const winner = await findKey(deps.db, key)
    if (!winner) throw err
    return { replayed: replay(winner, hash) }
  }
  return {
    placed: {
      orderId, customerId: input.customerId, status: 'PENDING',
      items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: null })),
      total: null, shipment: null, reason: null,
      history: [{ status: 'PENDING', at: at.toISOString(), event: 'OrderPlaced' }],
    },
  }
}

function replay(existing: IdempotencyKey, hash: string): string {
  assertSameRequest(existing, hash)
  return existing.orderId
}
