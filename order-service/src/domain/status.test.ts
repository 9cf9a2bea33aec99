import { describe, expect, it } from 'vitest'
import {
  ORDER_STATUSES, advance, afterCompensated, afterPaymentFailed, afterReservationFailed, afterShipped,
  cancelDecision, isTerminal, modificationRefusal, type ForwardStatus, type OrderStatus,
} from './status.ts'

const forward: ForwardStatus[] = ['PENDING', 'STOCK_RESERVED', 'PAID', 'SHIPPED', 'DELIVERED']
const terminal: OrderStatus[] = ['DELIVERED', 'REJECTED', 'CANCELLED']

describe('advance: status only moves forward', () => {
  it('moves to a later status', () => {
    expect(advance('PENDING', 'STOCK_RESERVED')).toBe('STOCK_RESERVED')
    expect(advance('STOCK_RESERVED', 'PAID')).toBe('PAID')
    expect(advance('PAID', 'SHIPPED')).toBe('SHIPPED')
    expect(advance('SHIPPED', 'DELIVERED')).toBe('DELIVERED')
  })

  it('skips ahead when a later event overtakes an earlier one (PaymentCompleted before StockReserved)', () => {
    expect(advance('PENDING', 'PAID')).toBe('PAID')
    expect(advance('PAID', 'STOCK_RESERVED')).toBe('PAID')
  })

  it('never moves back for any pair of forward statuses', () => {
    for (const [i, current] of forward.entries()) {
      for (const [j, reached] of forward.entries()) {
        expect(advance(current, reached)).toBe(forward[Math.max(i, j)])
      }
    }
  })

  it('leaves terminal and CANCELLING orders where they are', () => {
    for (const current of [...terminal, 'CANCELLING'] as OrderStatus[]) {
      for (const reached of forward) expect(advance(current, reached)).toBe(current)
    }
  })
})

describe('terminal statuses', () => {
  it('are exactly DELIVERED, REJECTED and CANCELLED', () => {
    expect(ORDER_STATUSES.filter(isTerminal)).toEqual(terminal)
  })
})

describe('CANCELLING rules', () => {
  it('is left for SHIPPED when the shipment won the race, with the cancellation refused', () => {
    expect(afterShipped('CANCELLING')).toEqual({ status: 'SHIPPED', cancellationRefused: true })
    expect(afterShipped('PAID')).toEqual({ status: 'SHIPPED', cancellationRefused: false })
    expect(afterShipped('CANCELLED')).toEqual({ status: 'CANCELLED', cancellationRefused: false })
  })

  it('is left for CANCELLED by the final refund, and only CANCELLING is', () => {
    expect(afterCompensated('CANCELLING')).toBe('CANCELLED')
    for (const s of ORDER_STATUSES.filter((s) => s !== 'CANCELLING')) expect(afterCompensated(s)).toBe(s)
  })

  it('is left for CANCELLED when the reservation it would release never happened', () => {
    expect(afterReservationFailed('CANCELLING')).toBe('CANCELLED')
    expect(afterReservationFailed('PENDING')).toBe('REJECTED')
    for (const s of ORDER_STATUSES.filter((s) => s !== 'CANCELLING' && s !== 'PENDING')) expect(afterReservationFailed(s)).toBe(s)
  })

  it('is entered on PaymentFailed only before shipping', () => {
    for (const s of ['PENDING', 'STOCK_RESERVED', 'PAID'] as OrderStatus[]) expect(afterPaymentFailed(s)).toBe('CANCELLING')
    for (const s of ['SHIPPED', 'CANCELLING', ...terminal] as OrderStatus[]) expect(afterPaymentFailed(s)).toBe(s)
  })
})

describe('cancel requests', () => {
  it.each([
    ['PENDING', 'accept'], ['STOCK_RESERVED', 'accept'], ['PAID', 'accept'],
    ['CANCELLING', 'in-progress'],
    ['SHIPPED', 'already-shipped'], ['DELIVERED', 'already-shipped'],
    ['REJECTED', 'already-terminal'], ['CANCELLED', 'already-terminal'],
  ] as const)('in %s: %s', (status, decision) => {
    expect(cancelDecision(status)).toBe(decision)
  })
})

describe('modification requests', () => {
  it.each([
    ['PENDING', false, null], ['STOCK_RESERVED', false, null], ['PAID', false, null],
    ['PENDING', true, 'modification-pending'], ['STOCK_RESERVED', true, 'modification-pending'], ['PAID', true, 'modification-pending'],
    ['SHIPPED', false, 'already-shipped'], ['DELIVERED', false, 'already-shipped'],
    ['CANCELLING', false, 'not-modifiable'], ['REJECTED', false, 'not-modifiable'], ['CANCELLED', false, 'not-modifiable'],
  ] as const)('in %s (pending: %s): %s', (status, pending, refusal) => {
    expect(modificationRefusal(status, pending)).toBe(refusal)
  })
})
