import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrate } from '@choreo/platform'
import { createTestDatabase, type TestDatabase } from '@choreo/testkit'
import { insertOrder, updateOrder } from '../repositories/orders.ts'
import { migrations } from './index.ts'

let database: TestDatabase
beforeAll(async () => { database = await createTestDatabase('order-migrate-modifications') })
afterAll(async () => { await database?.drop() })

it('002 counts the modifications pending when it runs as asked for, so that stock\'s undo of one is taken', async () => {
  const { db } = database
  const names = Object.keys(migrations)
  const later = names.slice(names.indexOf('002_modifications'))
  const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => !later.includes(name)))
  await migrate(db, before)
  const [pending, none] = [randomUUID(), randomUUID()]
  const modificationId = randomUUID()
  for (const orderId of [pending, none]) {
    await insertOrder(db, { orderId, customerId: 'ada', currency: 'EUR', shippingAddress: { name: 'A', line1: 'B 1', city: 'C', postalCode: '1', country: 'DE' }, createdAt: new Date() })
  }
  await updateOrder(db, pending, { pendingModificationId: modificationId }, new Date())

  expect(await migrate(db, migrations)).toEqual(later)

  expect(await db('order_modifications').select('modification_id', 'order_id')).toEqual([{ modification_id: modificationId, order_id: pending }])
})
