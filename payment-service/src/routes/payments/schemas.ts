// The payments' HTTP schemas: an order's charges and refunds.
import { Type, type Static } from 'typebox'
import { Id } from '@choreo/platform'
import { Money } from '../schemas.ts'

/** Any id of 1–64 letters, digits, _ and - (order-service makes uuids, which fit); the pattern keeps anything else out of the query. */
const OrderId = Id

export const PaymentsQuery = Type.Object({ orderId: OrderId }, { additionalProperties: false })

export const PaymentsOfOrder = Type.Object({
  orderId: OrderId,
  items: Type.Array(Type.Object({
    paymentId: Type.String({ format: 'uuid', maxLength: 36 }),
    kind: Type.Union([Type.Literal('CHARGE'), Type.Literal('REFUND')]),
    amount: Money,
    reason: Type.String({ maxLength: 200 }),
    createdAt: Type.String({ format: 'date-time', maxLength: 40 }),
  }, { additionalProperties: false }), { maxItems: 1000 }),
  charged: Type.Union([Money, Type.Null()], { description: 'Sum of charges; null when payment-service has not seen the order' }),
  refunded: Type.Union([Money, Type.Null()], { description: 'Sum of refunds; null when payment-service has not seen the order' }),
}, { additionalProperties: false })
export type PaymentsOfOrder = Static<typeof PaymentsOfOrder>
