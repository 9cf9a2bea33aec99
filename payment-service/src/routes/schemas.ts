// payment-service's HTTP schemas shared by its routes: ids, currencies, money, the customer in the path.
import { Type } from 'typebox'
import { Id } from '@choreo/platform'

/** The most a customer can be credited in one request, in minor units. */
export const MAX_REQUEST_AMOUNT = 1_000_000_000

export const CustomerId = Id

export const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 code, e.g. EUR' })

/** Money in responses: balances grow past what one request may add. */
export const Money = Type.Object({
  amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer minor units (e.g. cents)' }),
  currency: Currency,
}, { additionalProperties: false })

export const CustomerParams = Type.Object({ customerId: CustomerId }, { additionalProperties: false })
