import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMessagingTables } from '@choreo/messaging'
import { createTestDatabase, type TestDatabase } from '@choreo/testkit'
import { SERVICES, type Service } from './plan.ts'
import { describeTableSizes, tableSizes } from './table-sizes.ts'

describe('the messaging tables\' sizes a run reports', () => {
  const databases = new Map<Service, TestDatabase>()
  beforeAll(async () => {
    for (const s of SERVICES) {
      const database = await createTestDatabase(`sizes-${s}`, 1)
      await createMessagingTables(database.db)
      databases.set(s, database)
    }
    await databases.get('stock-service')!.db('inbox').insert(Array.from({ length: 3 }, (_, i) => ({
      consumer_group: 'g', event_id: `e-${i}`, event_type: 'OrderPlaced', topic: 'order.events', partition: 0, offset: String(i),
    })))
  })
  afterAll(async () => { for (const d of databases.values()) await d.drop() })

  it('counts each service\'s outbox and inbox rows and measures them on disk', async () => {
    const sizes = await tableSizes(Object.fromEntries([...databases].map(([s, d]) => [s, d.db])) as Record<Service, TestDatabase['db']>)
    expect(sizes['stock-service'].inbox.rows).toBe(3)
    expect(sizes['order-service'].outbox.rows).toBe(0)
    expect(sizes['stock-service'].inbox.bytes).toBeGreaterThan(sizes['order-service'].inbox.bytes)
    expect(describeTableSizes(sizes)).toMatch(/stock-service outbox 0 rows \(\d+\.\d MiB\), inbox 3 rows/)
  })
})
