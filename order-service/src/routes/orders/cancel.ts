// POST /orders/:orderId/cancel's command: accepts a cancellation once per idempotency key.
import type { Knex } from 'knex'
import { newEvent } from '@choreo/contracts'
import type { Cause, Messaging } from '@choreo/messaging'
import { Conflict, NotFound, onceByKey } from '@choreo/platform'
import { mayActFor, type Caller } from '@choreo/platform/http'
import { requestHash } from '../../domain/request-hash.ts'
import { cancelDecision } from '../../domain/status.ts'
import { findKey, findUnscopedKey, insertKey, SAME_KEY_OTHER_REQUEST, scopedKey, type IdempotencyKey } from '../../repositories/idempotency-keys.ts'
import { appendHistory } from '../../repositories/order-history.ts'
import { findOrder, lockOrder, updateOrder } from '../../repositories/orders.ts'

export const DEFAULT_CANCEL_REASON = 'requested by customer'

/**
 * Accepts a cancellation: CANCELLING, and OrderCancellationRequested tells stock and payment
 * what to compensate (its stage). Asking again while it is in progress changes nothing. The
 * idempotency key is recorded with every 202 (accepted or already in progress), in the order's
 * customer's scope (scopedKey) and bound to the caller and the request, so a retry is answered the
 * same and the key cannot be reused for another request; a refusal (409) records nothing. Another
 * customer's order is not found.
 */
export async function cancelOrder(
  deps: { db: Knex; messaging: Messaging },
  request: { caller: Caller; key: string; orderId: string; reason: string | undefined },
  cause: Cause,
): Promise<void> {
  const { caller, key, orderId, reason } = request
  const hash = requestHash({ request: 'cancel', orderId, reason, caller: caller.sub })
  // Whose key it is: the order's customer's, whoever asks. Not the caller's order: not found.
  const owner = (await findOrder(deps.db, orderId))?.customerId
  if (owner === undefined || !mayActFor(caller, owner)) throw new NotFound('order', orderId, 'orderId')
  const scoped = scopedKey(owner, key)
  await onceByKey<IdempotencyKey, void>({
    key,
    lookFirst: async () => (await findKey(deps.db, scoped)) ?? (await findUnscopedKey(deps.db, key, owner)),
    run: () => deps.messaging.transaction(async (trx) => {
      const order = await lockOrder(trx, orderId)
      if (!order || !mayActFor(caller, order.customerId)) throw new NotFound('order', orderId, 'orderId')
      const decision = cancelDecision(order.status)
      if (decision === 'already-shipped') throw new Conflict(`order ${orderId} has already shipped`, 'already-shipped')
      if (decision === 'already-terminal') throw new Conflict(`order ${orderId} is already ${order.status}`, 'already-terminal')
      const at = new Date()
      // After the order's lock: a concurrent request with this key waits here, then replays.
      await insertKey(trx, { key: scoped, requestHash: hash, orderId }, at)
      if (decision === 'in-progress') return
      const why = reason ?? DEFAULT_CANCEL_REASON
      await updateOrder(trx, orderId, { status: 'CANCELLING', reason: why }, at)
      await appendHistory(trx, { orderId, status: 'CANCELLING', event: 'OrderCancellationRequested', eventId: null, reason: why, at })
      await deps.messaging.outbox.enqueue(trx, newEvent('OrderCancellationRequested', { orderId, reason: why, stage: order.status }), cause)
    }),
    earlier: () => findKey(deps.db, scoped),
    sameRequest: (earlier) => earlier.requestHash === hash,
    usedFor: () => SAME_KEY_OTHER_REQUEST,
    replay: () => undefined,
  })
}
