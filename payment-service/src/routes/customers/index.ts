import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Conflict, NotFound } from '@choreo/platform'
import { findCustomer, insertCustomer } from '../../repositories/customers.ts'
import { Currency, CustomerId, CustomerParams, ErrorBody, MAX_REQUEST_AMOUNT, Money } from '../schemas.ts'

const NewCustomer = Type.Object({
  customerId: Type.Optional(CustomerId),
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  balance: Type.Object({
    amount: Type.Integer({ minimum: 0, maximum: MAX_REQUEST_AMOUNT }),
    currency: Currency,
  }, { additionalProperties: false }),
}, { additionalProperties: false })

const CustomerBody = Type.Object({ customerId: CustomerId, name: Type.String({ maxLength: 200 }), balance: Money }, { additionalProperties: false })

/** Customers and their balance: the funds orders are charged from. */
export const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/customers', {
    schema: {
      summary: 'Open a customer account with an opening balance',
      body: NewCustomer,
      response: { 201: CustomerBody, 400: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const customer = { ...request.body, customerId: request.body.customerId ?? randomUUID() }
    if (!(await insertCustomer(app.db, customer))) throw new Conflict(`customer ${customer.customerId} exists`, 'customer-exists')
    return reply.status(201).header('location', `/customers/${encodeURIComponent(customer.customerId)}`).send(customer)
  })

  app.get('/customers/:customerId', {
    schema: {
      summary: 'A customer and their balance',
      params: CustomerParams,
      response: { 200: CustomerBody, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const customer = await findCustomer(app.db, request.params.customerId)
    if (!customer) throw new NotFound('customer', request.params.customerId, 'customerId')
    return customer
  })
}
