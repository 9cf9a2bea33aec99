// The consumer tests' saga: each OrderDelivered leaves one row in `effects` (two if applied twice); a negative sequence is a failing handler.
import type { Knex } from 'knex'
import type { Events } from '@choreo/contracts'
import { defineSaga, step } from '../saga.ts'

export const recordEffect = defineSaga('order', {
  OrderDelivered: step(async function recordEffect(event: Events['OrderDelivered'], trx: Knex.Transaction) {
    if (event.deliveredAt < 0) throw new Error(`negative sequence ${event.deliveredAt} is a bug`)
    await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
    return []
  }, { does: 'the test' }),
})
