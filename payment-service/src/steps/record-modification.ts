// A step of payment-service's facts consumer: remembers the lines each modification asked for, which settling an adjustment checks.
import type { Knex } from 'knex'
import type { OrderModificationRequested } from '@choreo/contracts'
import { linesKey } from '../domain/order-lines.ts'
import { insertRequestedModification } from '../repositories/order-facts.ts'

/** OrderModificationRequested (facts consumer): remember the lines the modification asked for; emits nothing. */
export async function recordModification(event: OrderModificationRequested, trx: Knex.Transaction) {
  const { orderId, modificationId, items } = event
  await insertRequestedModification(trx, { modificationId, orderId, items: linesKey(items) }, new Date())
  return []
}
