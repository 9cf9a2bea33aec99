// The deposits' HTTP schemas: what a deposit asks and what it answers.
import { Type } from 'typebox'
import { CustomerId, MAX_REQUEST_AMOUNT, Money } from '../schemas.ts'

export const NewDeposit = Type.Object({ amount: Type.Integer({ minimum: 1, maximum: MAX_REQUEST_AMOUNT }) }, { additionalProperties: false })

export const DepositBody = Type.Object({
  depositId: Type.String({ format: 'uuid', maxLength: 36 }),
  customerId: CustomerId,
  amount: Money,
  balance: Money,
}, { additionalProperties: false })
