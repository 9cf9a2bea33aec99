// The customers' HTTP schemas: opening an account and reading it.
import { Type, type Static } from 'typebox'
import { Text } from '@choreo/platform'
import { Currency, CustomerId, MAX_REQUEST_AMOUNT, Money } from '../schemas.ts'

export const NewCustomer = Type.Object({
  customerId: Type.Optional(CustomerId),
  name: Text(200),
  balance: Type.Object({
    amount: Type.Integer({ minimum: 0, maximum: MAX_REQUEST_AMOUNT }),
    currency: Currency,
  }, { additionalProperties: false }),
}, { additionalProperties: false })
export type NewCustomer = Static<typeof NewCustomer>

export const CustomerBody = Type.Object({ customerId: CustomerId, name: Type.String({ maxLength: 200 }), balance: Money }, { additionalProperties: false })
