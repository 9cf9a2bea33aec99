// The `messaging` plugin: runs the outbox relay and the saga consumers while the app is up; a test of routes alone leaves it out.
import fp from 'fastify-plugin'
import type { Messaging } from '@choreo/messaging'

/** The service's saga page, whatever shape messaging's start takes it in. */
export type SagaPage = NonNullable<Parameters<Messaging['start']>[0]>
/** The steps that record what other topics say (payment's), consumed in a group of their own. */
export type FactsPage = Parameters<Messaging['start']>[1]

export interface MessagingPluginOptions {
  saga: SagaPage
  facts?: FactsPage
}

/**
 * Once the app is ready, registers the schemas, starts the relay and joins the consumer group(s);
 * on close it stops consuming, finishes the batch, stops the relay and flushes the producers. Its
 * onClose hook is added after the `db` plugin's, so it runs before the pool closes.
 */
export const messagingPlugin = fp<MessagingPluginOptions>(async (app, { saga, facts }) => {
  app.addHook('onReady', async () => {
    await app.messaging.start(saga, facts)
  })
  app.addHook('onClose', async () => {
    await app.messaging.close()
  })
}, { name: 'messaging', dependencies: ['outbox'], fastify: '5.x' })
