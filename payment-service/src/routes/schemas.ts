import { Type } from 'typebox'

/** The most a customer can be credited in one request, in minor units. */
export const MAX_REQUEST_AMOUNT = 1_000_000_000

export const CustomerId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', maxLength: 64, description: 'Letters, digits, _ and -' })

export const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 code, e.g. EUR' })

/** Money in responses: balances grow past what one request may add. */
export const Money = Type.Object({
  amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer minor units (e.g. cents)' }),
  currency: Currency,
}, { additionalProperties: false })

export const CustomerParams = Type.Object({ customerId: CustomerId }, { additionalProperties: false })

/** Every 4xx body, as platform's error handler renders it. */
export const ErrorBody = Type.Object({
  error: Type.String({ maxLength: 64 }),
  message: Type.String({ maxLength: 1000 }),
  field: Type.Optional(Type.String({ maxLength: 200 })),
  rule: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false })
