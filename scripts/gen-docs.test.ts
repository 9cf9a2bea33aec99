import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ASYNCAPI_DOC, parseSagaSource, readReactions, renderAsyncApi, renderSagaDoc, SAGA_DOC } from './gen-docs.ts'

const root = join(import.meta.dirname, '..')

describe('generated saga docs', () => {
  it(`${SAGA_DOC} and ${ASYNCAPI_DOC} are what the saga tables and schemas/ generate (else: node scripts/gen-docs.ts)`, () => {
    const reactions = readReactions()
    expect(readFileSync(join(root, SAGA_DOC), 'utf8')).toBe(renderSagaDoc(reactions))
    expect(readFileSync(join(root, ASYNCAPI_DOC), 'utf8')).toBe(renderAsyncApi(reactions))
  })

  it("reads what a handler emits from its comment: the handling service's own events it names", () => {
    const byKey = new Map(readReactions().map((r) => [`${r.service} ${r.event}`, r.emits]))
    expect(byKey.get('stock-service OrderPlaced')).toEqual(['StockReservationFailed', 'StockReserved'])
    expect(byKey.get('payment-service ReservationAdjusted')).toEqual(['PaymentCompleted', 'PaymentFailed', 'PaymentRefunded'])
    // Names other services' events ("undone by StockReleased → PaymentRefunded"), emits nothing itself.
    expect(byKey.get('order-service StockReserved')).toEqual([])
  })

  it('fails on a saga entry without its one-line comment', () => {
    const source = 'export const saga = {\n  OrderPlaced: reserveStock,\n  PaymentFailed: release, // StockReleased\n}'
    expect(() => parseSagaSource('stock-service', source, ['OrderPlaced', 'PaymentFailed'])).toThrow(/OrderPlaced has no one-line comment/)
    expect(parseSagaSource('stock-service', source, ['PaymentFailed'])[0]).toMatchObject({ handler: 'release', emits: ['StockReleased'] })
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
