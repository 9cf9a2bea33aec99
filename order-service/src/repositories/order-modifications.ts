// The modifications order-service asked stock for, so that only an answer to one of them is taken.
import type { Knex } from 'knex'

/** Records a modification asked of stock for an order (PATCH /orders/:orderId). */
export async function insertModification(trx: Knex.Transaction, modification: { modificationId: string; orderId: string; requestedAt: Date }): Promise<void> {
  await trx('order_modifications').insert({
    modification_id: modification.modificationId, order_id: modification.orderId, requested_at: modification.requestedAt,
  })
}

/** Whether this service asked stock for this modification of this order. */
export async function wasRequested(trx: Knex.Transaction, orderId: string, modificationId: string): Promise<boolean> {
  const row = await trx('order_modifications').select('modification_id').where({ modification_id: modificationId, order_id: orderId }).first()
  return row !== undefined
}
