// payment-service's customer routes: validate, call the command or query, map its result to HTTP.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, NotFound } from '@choreo/platform'
import { callerOf, mayActFor } from '@choreo/platform/http'
import { findCustomer } from '../../repositories/customers.ts'
import { CustomerParams } from '../schemas.ts'
import { openAccount } from './open.ts'
import { CustomerBody, NewCustomer } from './schemas.ts'

/**
 * Customers and their balance: the funds orders are charged from. An admin opens accounts; a
 * customer reads only their own (another's is not found, as if it did not exist).
 */
export const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/customers', {
    config: { access: 'admin' },
    schema: { summary: 'Open a customer account with an opening balance (admin)', body: NewCustomer, response: { 201: CustomerBody, 400: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const customer = await openAccount(app.db, request.body)
    return reply.status(201).header('location', `/customers/${encodeURIComponent(customer.customerId)}`).send(customer)
  })

  app.get('/customers/:customerId', {
    config: { access: 'authenticated' },
    schema: { summary: 'A customer and their balance', params: CustomerParams, response: { 200: CustomerBody, 400: ErrorBody, 404: ErrorBody } },
  }, async (request) => {
    const { customerId } = request.params
    const customer = mayActFor(callerOf(request), customerId) ? await findCustomer(app.db, customerId) : undefined
    if (!customer) throw new NotFound('customer', customerId, 'customerId')
    return customer
  })
}
