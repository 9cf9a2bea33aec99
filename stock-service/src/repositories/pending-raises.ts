// Modifications that raised an order's total, waiting for payment's answer, with what to restore if it is no.
import type { Knex } from 'knex'
import type { OrderLine, PricedLine } from '@choreo/contracts'

/** A modification that raised an order's total, waiting for payment's answer (migrations/004). */
export interface PendingRaise {
  orderId: string
  modificationId: string
  /** The lines and total before the modification, in the reservation's currency. */
  previousLines: PricedLine[]
  previousTotal: number
  /** Units the modification dropped, still reserved for the order until payment answers. */
  held: OrderLine[]
}

interface PendingRaiseRow {
  order_id: string
  modification_id: string
  previous_lines: string
  previous_total_amount: string | number
  held: string
}

function fromRow(row: PendingRaiseRow): PendingRaise {
  return {
    orderId: row.order_id,
    modificationId: row.modification_id,
    previousLines: JSON.parse(row.previous_lines) as PricedLine[],
    previousTotal: Number(row.previous_total_amount),
    held: JSON.parse(row.held) as OrderLine[],
  }
}

/** The order's pending raise; read under the reservation's row lock, which every step of the order takes first. */
export async function findPendingRaise(trx: Knex.Transaction, orderId: string): Promise<PendingRaise | undefined> {
  const row: PendingRaiseRow | undefined = await trx('pending_raises').where({ order_id: orderId }).first()
  return row ? fromRow(row) : undefined
}

export async function insertPendingRaise(trx: Knex.Transaction, raise: PendingRaise): Promise<void> {
  await trx('pending_raises').insert({
    order_id: raise.orderId,
    modification_id: raise.modificationId,
    previous_lines: JSON.stringify(raise.previousLines),
    previous_total_amount: raise.previousTotal,
    held: JSON.stringify(raise.held),
  })
}

export async function deletePendingRaise(trx: Knex.Transaction, orderId: string): Promise<void> {
  await trx('pending_raises').where({ order_id: orderId }).delete()
}
