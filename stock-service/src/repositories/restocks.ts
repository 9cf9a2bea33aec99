// Restocks of products, each with the Idempotency-Key it came with (migrations/002): the record of what was put in.
import type { Knex } from 'knex'
import { claimIdempotencyKey } from '@choreo/platform'

export interface Restock {
  restockId: string
  idempotencyKey: string
  productId: string
  quantity: number
}

interface RestockRow {
  restock_id: string
  idempotency_key: string
  product_id: string
  quantity: number
}

function fromRow(row: RestockRow): Restock {
  return { restockId: row.restock_id, idempotencyKey: row.idempotency_key, productId: row.product_id, quantity: row.quantity }
}

/** Records a restock, claiming its idempotency key (claimIdempotencyKey: IdempotencyKeyTaken when it was used before). */
export async function insertRestock(trx: Knex.Transaction, restock: Restock): Promise<void> {
  const row: RestockRow = { restock_id: restock.restockId, idempotency_key: restock.idempotencyKey, product_id: restock.productId, quantity: restock.quantity }
  await claimIdempotencyKey(trx, 'restocks', row, restock.idempotencyKey)
}

export async function findRestockByKey(db: Knex | Knex.Transaction, idempotencyKey: string): Promise<Restock | undefined> {
  const row = await db<RestockRow>('restocks').where({ idempotency_key: idempotencyKey }).first()
  return row ? fromRow(row) : undefined
}
