// Deposits into customers' balances, each with the Idempotency-Key it came with, unique per customer.
import type { Knex } from 'knex'
import { claimIdempotencyKey } from '@choreo/platform'

export interface Deposit {
  depositId: string
  customerId: string
  amount: number
  idempotencyKey: string | null
}

interface DepositRow {
  deposit_id: string
  customer_id: string
  amount: string
  idempotency_key: string | null
}

function fromRow(row: DepositRow): Deposit {
  return { depositId: row.deposit_id, customerId: row.customer_id, amount: Number(row.amount), idempotencyKey: row.idempotency_key }
}

/** Records a deposit, claiming its idempotency key in the customer's scope (claimIdempotencyKey: IdempotencyKeyTaken when the customer used it before). */
export async function insertDeposit(trx: Knex.Transaction, deposit: Deposit & { idempotencyKey: string }): Promise<void> {
  const row = { deposit_id: deposit.depositId, customer_id: deposit.customerId, amount: deposit.amount, idempotency_key: deposit.idempotencyKey }
  await claimIdempotencyKey(trx, 'deposits', row, deposit.idempotencyKey)
}

export async function findDepositByKey(db: Knex | Knex.Transaction, customerId: string, idempotencyKey: string): Promise<Deposit | undefined> {
  const row = await db<DepositRow>('deposits')
    .select('deposit_id', 'customer_id', 'amount', 'idempotency_key')
    .where({ customer_id: customerId, idempotency_key: idempotencyKey })
    .first()
  return row ? fromRow(row) : undefined
}
