import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ASYNCAPI_DOC, readReactions, renderAsyncApi, renderSagaDoc, SAGA_DOC } from './gen-docs.ts'

const root = join(import.meta.dirname, '..', '..')

describe('generated saga docs', () => {
  it(`${SAGA_DOC} and ${ASYNCAPI_DOC} are what the saga tables and schemas/ generate (else: node tools/docs/gen-docs.ts)`, () => {
    const reactions = readReactions()
    expect(readFileSync(join(root, SAGA_DOC), 'utf8')).toBe(renderSagaDoc(reactions))
    expect(readFileSync(join(root, ASYNCAPI_DOC), 'utf8')).toBe(renderAsyncApi(reactions))
  })

  it('takes what a step emits and what undoes it from its entry in the typed saga tables', () => {
    const byKey = new Map(readReactions().map((r) => [`${r.service} ${r.event}`, r]))
    expect(byKey.get('stock-service OrderPlaced')).toMatchObject({ handler: 'reserveStock', emits: ['StockReserved', 'StockReservationFailed'], undoneBy: ['OrderCancellationRequested', 'PaymentFailed'] })
    expect(byKey.get('payment-service ReservationAdjusted')?.emits).toEqual(['PaymentCompleted', 'PaymentFailed', 'PaymentRefunded'])
    // A step built by a factory or a wrapper keeps its function's name.
    expect(byKey.get('stock-service PaymentCompleted')?.handler).toBe('recordPayment')
    expect(byKey.get('order-service StockReserved')).toMatchObject({ handler: 'priceOrder', emits: [] })
    expect(byKey.get('payment-service OrderPlaced')?.handler).toBe('recordPlacedOrder')
  })

  it('describes every event as an AsyncAPI 3.0 message on its topic, with the Avro schema as payload', () => {
    const doc = JSON.parse(renderAsyncApi()) as {
      asyncapi: string
      channels: Record<string, { address: string; messages: Record<string, unknown> }>
      components: { messages: Record<string, { payload: { schema: { name: string } } }> }
      operations: Record<string, { action: string; 'x-emits'?: string[] }>
    }
    expect(doc.asyncapi).toBe('3.0.0')
    expect(Object.values(doc.channels).map((c) => c.address).sort()).toEqual(['order.events', 'payment.events', 'stock.events'])
    expect(Object.keys(doc.channels.orderEvents!.messages)).toContain('OrderPlaced')
    expect(doc.components.messages.StockReserved!.payload.schema.name).toBe('StockReserved')
    expect(doc.operations.paymentServiceOnStockReserved).toMatchObject({ action: 'receive', 'x-emits': ['PaymentCompleted', 'PaymentFailed'] })
  })
})
