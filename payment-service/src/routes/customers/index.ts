import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf, Conflict, ErrorBody, mayActFor, NotFound, Text } from '@choreo/platform'
import { findCustomer, insertCustomer } from '../../repositories/customers.ts'
import { Currency, CustomerId, CustomerParams, MAX_REQUEST_AMOUNT, Money } from '../schemas.ts'

const NewCustomer = Type.Object({
  customerId: Type.Optional(CustomerId),
  name: Text(200),
  balance: Type.Object({
    amount: Type.Integer({ minimum: 0, maximum: MAX_REQUEST_AMOUNT }),
    currency: Currency,
  }, { additionalProperties: false }),
}, { additionalProperties: false })

const CustomerBody = Type.Object({ customerId: CustomerId, name: Type.String({ maxLength: 200 }), balance: Money }, { additionalProperties: false })

/**
 * Customers and their balance: the funds orders are charged from. An admin opens accounts; a
 * customer reads only their own (another's is not found, as if it did not exist).
 */
export const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/customers', {
    config: { access: 'admin' },
    schema: {
      summary: 'Open a customer account with an opening balance (admin)',
      body: NewCustomer,
      response: { 201: CustomerBody, 400: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const customer = { ...request.body, customerId: request.body.customerId ?? randomUUID() }
    if (!(await insertCustomer(app.db, customer))) throw new Conflict(`customer ${customer.customerId} exists`, 'customer-exists')
    return reply.status(201).header('location', `/customers/${encodeURIComponent(customer.customerId)}`).send(customer)
  })

  app.get('/customers/:customerId', {
    config: { access: 'authenticated' },
    schema: {
      summary: 'A customer and their balance',
      params: CustomerParams,
      response: { 200: CustomerBody, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const customer = mayActFor(callerOf(request), request.params.customerId) ? await findCustomer(app.db, request.params.customerId) : undefined
    if (!customer) throw new NotFound('customer', request.params.customerId, 'customerId')
    return customer
  })
}
