import { describe, expect, it } from 'vitest'
import { judgeUpgrade, type Seen, type Written } from './upgrade-verdict.ts'

const written = (eventId: string, field: string | null = 'WH-1'): Written => ({ eventId, orderId: `order-of-${eventId}`, field })
const seen = (type: string, eventId: string, warehouse: string | null = 'WH-1'): Seen => ({ seen: type, eventId, warehouse })
const rules = (v: { troubles: { rule: string }[] }) => v.troubles.map((t) => t.rule)

describe('rolling upgrade verdict', () => {
  it('passes when the newer events reach the topic and a newer consumer with their field, and older ones read as null', () => {
    const v = judgeUpgrade({
      written: [written('e1', null), written('e2'), written('e3', 'WH-3')],
      onTopic: [{ eventId: 'e1', field: null }, { eventId: 'e2', field: 'WH-1' }, { eventId: 'e2', field: 'WH-1' }, { eventId: 'e3', field: 'WH-3' }],
      added: [{ eventId: 'a2' }, { eventId: 'a3' }],
      seen: [seen('StockReserved', 'e1', null), seen('StockReserved', 'e2'), seen('StockReserved', 'e2'), seen('ChaosWarehouseAssigned', 'a3')],
    })
    expect(v.troubles).toEqual([])
    expect(v).toMatchObject({ newerEvents: 2, addedEvents: 2, seenByNewer: { evolved: 1, added: 1 } })
  })

  it('calls a newer event that reached the topic without its field lost (an older relay re-encoding it)', () => {
    const v = judgeUpgrade({
      written: [written('e2'), written('e3')],
      onTopic: [{ eventId: 'e2', field: null }, { eventId: 'e3', field: 'WH-1' }],
      added: [{ eventId: 'a2' }],
      seen: [seen('StockReserved', 'e3'), seen('ChaosWarehouseAssigned', 'a2')],
    })
    expect(v.troubles).toEqual([expect.objectContaining({ rule: 'upgrade-field-lost', detail: expect.stringContaining('the topic has null') })])
  })

  it('calls a newer consumer that read a newer event without the field lost', () => {
    const v = judgeUpgrade({
      written: [written('e2')], onTopic: [{ eventId: 'e2', field: 'WH-1' }], added: [{ eventId: 'a2' }],
      seen: [seen('StockReserved', 'e2', null), seen('ChaosWarehouseAssigned', 'a2')],
    })
    expect(v.troubles).toEqual([expect.objectContaining({ rule: 'upgrade-field-lost', detail: expect.stringContaining('read chaosWarehouse=null') })])
  })

  it('calls an upgrade that never mixed the builds not exercised, naming what is missing', () => {
    const v = judgeUpgrade({ written: [written('e1', null)], onTopic: [{ eventId: 'e1', field: null }], added: [], seen: [seen('StockReserved', 'e1', null)] })
    expect(rules(v)).toEqual(['upgrade-not-exercised'])
    expect(v.troubles[0]!.detail).toContain('no StockReserved written by the newer build')
    expect(v.troubles[0]!.detail).toContain('no ChaosWarehouseAssigned handled by a newer order-service')
  })
})
