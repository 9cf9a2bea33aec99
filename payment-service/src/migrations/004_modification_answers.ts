// Adds when stock's answer to a requested modification was handled, so that an accepted answer after the first is refused.
import type { Knex } from 'knex'

/**
 * When stock's answer to a requested modification was handled: stock answers a modification
 * once, so an accepted answer that comes after the first is refused (settle-adjustment.ts).
 * Nullable and only added: an older instance runs on beside it.
 */
export const modificationAnswers: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('requested_modifications', (t) => {
      t.timestamp('answered_at', { useTz: true }).nullable()
    })
  },
  async down(knex) {
    await knex.schema.alterTable('requested_modifications', (t) => {
      t.dropColumn('answered_at')
    })
  },
}
