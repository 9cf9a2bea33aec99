// A row held locked from a test so that the saga step needing it waits: how an e2e test holds an order at a stage and races it.
import { expect } from 'vitest'
import type { Knex } from 'knex'
import { eventually } from '@choreo/testkit'

export interface HeldRow {
  /** Resolves once `sessions` other sessions of the database wait for a lock: the service's steps are in flight. */
  untilWaitedOn(sessions?: number): Promise<void>
  release(): Promise<void>
}

/**
 * Locks one row of a service's database until `release()`: the saga step that needs the row
 * waits, as if that service were slow, so a test can act while an order is held at a stage.
 * Hold it for seconds, not longer: a consumer blocked past its session timeout is evicted.
 */
export async function holdRow(db: Knex, table: string, where: Record<string, string>): Promise<HeldRow> {
  const trx = await db.transaction()
  const row: unknown = await trx(table).where(where).forUpdate().first()
  if (!row) {
    await trx.commit()
    throw new Error(`no row in ${table} where ${JSON.stringify(where)} to hold`)
  }
  return {
    async untilWaitedOn(sessions = 1) {
      await eventually(async () => {
        const waiting = await db.raw<{ rows: { n: number }[] }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
        )
        expect(waiting.rows[0]?.n, `sessions waiting on ${table} ${JSON.stringify(where)}`).toBeGreaterThanOrEqual(sessions)
      }, { timeoutMs: 30_000 })
    },
    async release() {
      await trx.commit()
    },
  }
}
