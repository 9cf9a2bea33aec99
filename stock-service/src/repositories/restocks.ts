import type { Knex } from 'knex'

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

/**
 * Records a restock under its idempotency key; false when the key was used before. A concurrent
 * insert with the same key waits on the unique index and then yields false.
 */
export async function insertRestock(trx: Knex.Transaction, restock: Restock): Promise<boolean> {
  const inserted = await trx('restocks')
    .insert({ restock_id: restock.restockId, idempotency_key: restock.idempotencyKey, product_id: restock.productId, quantity: restock.quantity })
    .onConflict('idempotency_key').ignore()
    .returning('restock_id')
  return inserted.length === 1
}

export async function findRestockByKey(trx: Knex.Transaction, idempotencyKey: string): Promise<Restock | undefined> {
  const row = await trx<RestockRow>('restocks').where({ idempotency_key: idempotencyKey }).first()
  return row && { restockId: row.restock_id, idempotencyKey: row.idempotency_key, productId: row.product_id, quantity: row.quantity }
}
