// The facts payment-service keeps from order.events: orders as placed and modifications as asked for.
import type { Knex } from 'knex'

/** An order as order-service placed it (its OrderPlaced): who pays, in which currency, for which lines. */
export interface PlacedOrder {
  orderId: string
  customerId: string
  currency: string
  /** domain/order-lines.ts' `linesKey` of its items. */
  items: string
}

/** A change of an order's lines that order-service asked for (its OrderModificationRequested). */
export interface RequestedModification {
  modificationId: string
  orderId: string
  items: string
  /** Whether stock's answer to it was handled already. */
  answered: boolean
}

interface PlacedOrderRow { order_id: string; customer_id: string; currency: string; items: string }
interface RequestedModificationRow { modification_id: string; order_id: string; items: string; answered_at: Date | null }

// Two tables, two mappers: each is its table's fromRow.
function placedOrderFromRow(row: PlacedOrderRow): PlacedOrder {
  return { orderId: row.order_id, customerId: row.customer_id, currency: row.currency.trim(), items: row.items }
}

function modificationFromRow(row: RequestedModificationRow): RequestedModification {
  return { modificationId: row.modification_id, orderId: row.order_id, items: row.items, answered: row.answered_at !== null }
}

/** Records an order once: a redelivered OrderPlaced, already in the inbox, never gets here; a second one for the same id is kept out. */
export async function insertPlacedOrder(trx: Knex.Transaction, order: PlacedOrder, at: Date): Promise<void> {
  await trx('placed_orders')
    .insert({ order_id: order.orderId, customer_id: order.customerId, currency: order.currency, items: order.items, recorded_at: at })
    .onConflict('order_id').ignore()
}

export async function findPlacedOrder(db: Knex | Knex.Transaction, orderId: string): Promise<PlacedOrder | undefined> {
  const row = await db('placed_orders').select('order_id', 'customer_id', 'currency', 'items').where({ order_id: orderId }).first() as PlacedOrderRow | undefined
  return row ? placedOrderFromRow(row) : undefined
}

export async function insertRequestedModification(trx: Knex.Transaction, modification: Omit<RequestedModification, 'answered'>, at: Date): Promise<void> {
  await trx('requested_modifications')
    .insert({ modification_id: modification.modificationId, order_id: modification.orderId, items: modification.items, recorded_at: at })
    .onConflict('modification_id').ignore()
}

export async function findRequestedModification(db: Knex | Knex.Transaction, modificationId: string): Promise<RequestedModification | undefined> {
  const row = await db('requested_modifications').select('modification_id', 'order_id', 'items', 'answered_at').where({ modification_id: modificationId }).first() as
    RequestedModificationRow | undefined
  return row ? modificationFromRow(row) : undefined
}

/** Notes that stock's answer to the modification was handled (the first one counts). */
export async function markAnswered(trx: Knex.Transaction, modificationId: string): Promise<void> {
  await trx('requested_modifications').where({ modification_id: modificationId }).whereNull('answered_at').update({ answered_at: new Date() })
}
