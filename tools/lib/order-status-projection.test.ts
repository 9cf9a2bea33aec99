import { describe, expect, it } from 'vitest'
import type { EventType, ReceivedEvent } from '@choreo/contracts'
import type { OrderStatus } from '@choreo/order-service'
import { projectStatus } from './order-status-projection.ts'

const event = (type: EventType, extra: Record<string, unknown> = {}): ReceivedEvent => ({ type, payload: { orderId: 'o-1', ...extra } } as unknown as ReceivedEvent)
const fold = (events: ReceivedEvent[]): OrderStatus | undefined => events.reduce<OrderStatus | undefined>((s, e) => projectStatus(s, e), undefined)

const placed = event('OrderPlaced')
const reserved = event('StockReserved')
const paid = event('PaymentCompleted')
const shipped = event('OrderShipped')
const delivered = event('ShipmentDelivered')

describe('the order status projection', () => {
  it('follows the happy path to DELIVERED', () => {
    expect(fold([placed, reserved, paid, shipped, delivered, event('OrderDelivered')])).toBe('DELIVERED')
  })

  it('never moves back when a payment is read before the reservation (another topic)', () => {
    expect(fold([placed, paid, reserved])).toBe('PAID')
  })

  it('rejects on a failed reservation', () => {
    expect(fold([placed, event('StockReservationFailed'), event('OrderRejected')])).toBe('REJECTED')
  })

  it('cancels after a failed payment once payment refunded the release', () => {
    const failed = [placed, reserved, event('PaymentFailed'), event('StockReleased')]
    expect(fold(failed)).toBe('CANCELLING')
    expect(fold([...failed, event('PaymentRefunded', { reason: 'released' })])).toBe('CANCELLED')
    expect(fold([...failed, event('PaymentRefunded', { reason: 'adjusted' })])).toBe('CANCELLING')
  })

  it('keeps the order when the failed payment was a modification\'s raise', () => {
    const declined = event('PaymentFailed', { modificationId: 'm-1' })
    expect(fold([placed, reserved, paid, event('ReservationAdjusted'), declined])).toBe('PAID')
    expect(fold([placed, reserved, paid, declined, shipped])).toBe('SHIPPED')
  })

  it('lets a shipment win over a cancellation, whichever is read first', () => {
    const cancel = event('OrderCancellationRequested')
    expect(fold([placed, reserved, paid, cancel, shipped])).toBe('SHIPPED')
    expect(fold([placed, reserved, paid, shipped, cancel])).toBe('SHIPPED')
  })

  it("takes order-service's final events as the last word, even read before the compensations", () => {
    expect(fold([placed, event('OrderCancellationRequested'), event('OrderCancelled'), event('StockReleased'), event('PaymentRefunded', { reason: 'released' })])).toBe('CANCELLED')
  })

  it('counts an order as placed when another event of it is read first', () => {
    expect(fold([reserved, placed])).toBe('STOCK_RESERVED')
  })
})
