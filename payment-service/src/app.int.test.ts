// payment-service built without the messaging plugin: the customers' routes answer through inject() with no broker behind it.
import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { usePaymentApp } from './testing/harness.ts'

describe('payment-service without messaging', () => {
  // Its broker address is one nothing listens on: any use of Kafka would fail.
  const h = usePaymentApp('no-kafka', { messaging: false })

  it('opens a customer account and reads its balance back', async () => {
    expect(h.app.hasPlugin('messaging')).toBe(false)
    const created = await h.app.inject({
      method: 'POST', url: '/customers', headers: bearerAs('ops', 'admin'),
      payload: { customerId: 'ada', name: 'Ada', balance: { amount: 5000, currency: 'EUR' } },
    })
    expect(created.statusCode).toBe(201)
    const read = await h.app.inject({ method: 'GET', url: '/customers/ada', headers: bearerAs('ada') })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual({ customerId: 'ada', name: 'Ada', balance: { amount: 5000, currency: 'EUR' } })
  })
})
