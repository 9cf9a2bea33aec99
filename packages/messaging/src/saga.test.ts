// The typed saga table: what the compiler refuses (checked by `pnpm typecheck`, part of
// `./choreo test`, through the @ts-expect-error lines) and what defineSaga refuses at definition.
import type { Knex } from 'knex'
import { describe, expect, it } from 'vitest'
import { newEvent, type Events } from '@choreo/contracts'
import { defineSaga, step, topicsOf } from './saga.ts'

async function reserve(event: Events['OrderPlaced'], _trx: Knex.Transaction) {
  return event.orderId.length > 0
    ? [newEvent('StockReservationFailed', { orderId: event.orderId, reason: 'none left', shortLines: [] })]
    : []
}

describe('defineSaga', () => {
  it('takes a handler that returns what its entry declares, named as its function', () => {
    const saga = defineSaga('stock', { OrderPlaced: step(reserve, { emits: ['StockReservationFailed'], does: 'reserves' }) })
    expect(saga.OrderPlaced).toMatchObject({ name: 'reserve', emits: ['StockReservationFailed'], undoneBy: [], does: 'reserves' })
    expect(topicsOf(saga, 'p.')).toEqual(['p.order.events'])
  })

  it('is refused by the compiler when a handler returns an event its entry does not declare', () => {
    // @ts-expect-error reserve returns StockReservationFailed, which `emits` leaves out
    expect(() => defineSaga('stock', { OrderPlaced: step(reserve, { emits: ['StockReserved'], does: 'reserves' }) })).not.toThrow()
    // @ts-expect-error reserve handles OrderPlaced, not PaymentFailed
    expect(() => defineSaga('stock', { PaymentFailed: step(reserve, { emits: ['StockReservationFailed'], does: 'x' }) })).not.toThrow()
  })

  it("refuses at definition a step that emits another service's event, is undone by an event the page does not handle, or has no name", () => {
    expect(() => defineSaga('payment', { OrderPlaced: step(reserve, { emits: ['StockReservationFailed'], does: 'x' }) }))
      .toThrow("payment's saga, OrderPlaced: emits StockReservationFailed, not payment's events")
    expect(() => defineSaga('stock', { OrderPlaced: step(reserve, { emits: ['StockReservationFailed'], undoneBy: ['PaymentFailed'], does: 'x' }) }))
      .toThrow("stock's saga, OrderPlaced: undone by PaymentFailed, which this page does not handle")
    const anonymous = [async (_event: Events['OrderPlaced']) => []][0]!
    expect(() => defineSaga('stock', { OrderPlaced: step(anonymous, { does: 'x' }) })).toThrow('the handler has no name')
  })
})
