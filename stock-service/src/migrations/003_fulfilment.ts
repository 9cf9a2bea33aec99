// Adds a reservation's scheduled shipment (when, and the event that made it due), so that a restart loses no delayed shipment.
import type { Knex } from 'knex'

/**
 * When a paid reservation ships, if not at once (FULFILMENT_DELAY_MS): the time, and the event
 * that made it due (its correlation and id), so the shipment stays in the saga that paid for it.
 * Stored with the reservation, so a restart loses no scheduled shipment.
 */
export const fulfilmentColumns: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('reservations', (t) => {
      t.timestamp('ship_after', { useTz: true }).nullable()
      t.text('ship_correlation_id').nullable()
      t.text('ship_causation_id').nullable()
      t.index(['ship_after'], 'reservations_ship_after')
    })
  },
  async down(knex) {
    await knex.schema.alterTable('reservations', (t) => {
      t.dropIndex(['ship_after'], 'reservations_ship_after')
      t.dropColumns('ship_after', 'ship_correlation_id', 'ship_causation_id')
    })
  },
}
