import type { Knex } from 'knex'

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

/**
 * Inserts a deposit unless the customer already made one with its idempotency key; false then.
 * A concurrent insert with the same key waits on the unique index and then yields false.
 */
export async function insertDeposit(db: Knex | Knex.Transaction, deposit: Deposit): Promise<boolean> {
  const inserted = await db('deposits')
    .insert({ deposit_id: deposit.depositId, customer_id: deposit.customerId, amount: deposit.amount, idempotency_key: deposit.idempotencyKey })
    .onConflict(['customer_id', 'idempotency_key']).ignore()
    .returning('deposit_id')
  return inserted.length === 1
}

export async function findDepositByKey(db: Knex | Knex.Transaction, customerId: string, idempotencyKey: string): Promise<Deposit | undefined> {
  const row = await db<DepositRow>('deposits')
    .select('deposit_id', 'customer_id', 'amount', 'idempotency_key')
    .where({ customer_id: customerId, idempotency_key: idempotencyKey })
    .first()
  return row && { depositId: row.deposit_id, customerId: row.customer_id, amount: Number(row.amount), idempotencyKey: row.idempotency_key }
}
