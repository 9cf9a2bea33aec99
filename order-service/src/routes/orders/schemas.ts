// The orders' HTTP schemas: TypeBox gives validation, the TypeScript types and the OpenAPI document from one definition.
import { Type, type Static } from 'typebox'
import { Id, Text } from '@choreo/platform'
import { ORDER_STATUSES } from '../../domain/status.ts'

// Request schemas refuse anything unexpected (additionalProperties: false) and bound every
// string, array and number; free text refuses control and bidi-override characters (platform's
// Text). Response schemas say exactly what leaves.

const MAX_ITEMS = 50
const MAX_QUANTITY = 1000
const MAX_PAGE_SIZE = 100
export const DEFAULT_PAGE_SIZE = 20

const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 })
const Status = Type.Enum([...ORDER_STATUSES])

const Item = Type.Object({
  productId: Id,
  quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
}, { additionalProperties: false })

/** 1..50 lines; the product ids must also be unique (checked after the schema, rule 'unique-products'). */
const Items = Type.Array(Item, { minItems: 1, maxItems: MAX_ITEMS })

const Address = Type.Object({
  name: Text(200),
  line1: Text(200),
  city: Text(100),
  postalCode: Text(20),
  country: Type.String({ pattern: '^[A-Z]{2}$', minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2' }),
}, { additionalProperties: false })

export const PlaceOrderBody = Type.Object({
  customerId: Id,
  items: Items,
  shippingAddress: Address,
  currency: Type.Optional({ ...Currency, description: 'ISO 4217; EUR when absent' }),
}, { additionalProperties: false })
export type PlaceOrderBody = Static<typeof PlaceOrderBody>

export const ModifyOrderBody = Type.Object({ items: Items }, { additionalProperties: false })
export type ModifyOrderBody = Static<typeof ModifyOrderBody>

export const CancelOrderBody = Type.Object({
  reason: Type.Optional(Text(200)),
}, { additionalProperties: false })

export const OrderParams = Type.Object({
  orderId: Type.String({ format: 'uuid', maxLength: 36 }),
}, { additionalProperties: false })

export const ListOrdersQuery = Type.Object({
  customerId: Type.Optional(Id),
  status: Type.Optional(Status),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
  cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 200, description: 'nextCursor of the previous page' })),
}, { additionalProperties: false })

const Money = Type.Object({
  amount: Type.Integer({ description: 'integer minor units' }),
  currency: Currency,
}, { additionalProperties: false })

const OrderSummaryProperties = {
  orderId: Type.String({ format: 'uuid', maxLength: 36 }),
  customerId: Id,
  status: Status,
  items: Type.Array(Type.Object({
    productId: Id,
    quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
    unitPrice: Type.Union([Money, Type.Null()], { description: 'null until stock has priced the line' }),
  }, { additionalProperties: false }), { maxItems: MAX_ITEMS }),
  total: Type.Union([Money, Type.Null()]),
  shipment: Type.Union([Type.Object({
    carrier: Type.String({ maxLength: 255 }),
    trackingNumber: Type.String({ maxLength: 255 }),
  }, { additionalProperties: false }), Type.Null()]),
  reason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
}

export const OrderSummary = Type.Object(OrderSummaryProperties, { additionalProperties: false })
export type OrderSummary = Static<typeof OrderSummary>

export const OrderDetail = Type.Object({
  ...OrderSummaryProperties,
  history: Type.Array(Type.Object({
    status: Status,
    at: Type.String({ format: 'date-time' }),
    event: Type.String({ maxLength: 64 }),
  }, { additionalProperties: false })),
}, { additionalProperties: false })
export type OrderDetail = Static<typeof OrderDetail>

export const OrderPage = Type.Object({
  items: Type.Array(OrderSummary, { maxItems: MAX_PAGE_SIZE }),
  nextCursor: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
}, { additionalProperties: false })
export type OrderPage = Static<typeof OrderPage>
