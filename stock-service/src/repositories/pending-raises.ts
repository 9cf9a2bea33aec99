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

export interface PendingRaiseRow {
  order_id: string
  modification_id: string
  previous_lines: string
  previous_total_amount: string | number
  held: string
}

/** A pending_raises row as a PendingRaise; the reservation's read brings it (reservations.ts). */
export function pendingRaiseOf(row: PendingRaiseRow): PendingRaise {
  return {
    orderId: row.order_id,
    modificationId: row.modification_id,
    previousLines: JSON.parse(row.previous_lines) as PricedLine[],
    previousTotal: Number(row.previous_total_amount),
    held: JSON.parse(row.held) as OrderLine[],
  }
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
