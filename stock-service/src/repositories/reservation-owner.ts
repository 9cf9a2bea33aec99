// Whose an order's reservation is: the customer a caller must be to see its shipments.
import type { Knex } from 'knex'

/**
 * The customer an order's reservation was made for, read without a lock (it never changes);
 * undefined when stock-service has reserved nothing for the order. The HTTP API asks it to keep
 * customers to their own shipments.
 */
export async function reservationOwner(db: Knex | Knex.Transaction, orderId: string): Promise<string | undefined> {
  const row: { customer_id: string } | undefined = await db('reservations').select('customer_id').where({ order_id: orderId }).first()
  return row?.customer_id
}
