// Rows and disk size of each service's outbox and inbox after a run: what a long life leaves behind in the messaging tables.
import type { Knex } from 'knex'
import { SERVICES, type Service } from './plan.ts'

/** Rows and on-disk size (table, indexes and TOAST) of the messaging tables: what a long life leaves behind. */
export interface TableSize {
  rows: number
  bytes: number
}

export type TableSizes = Record<Service, { outbox: TableSize; inbox: TableSize }>

export async function tableSizes(dbs: Record<Service, Knex>): Promise<TableSizes> {
  const sizes = {} as TableSizes
  for (const service of SERVICES) {
    const of = async (table: 'outbox' | 'inbox'): Promise<TableSize> => {
      const { rows } = await dbs[service].raw<{ rows: { rows: string; bytes: string }[] }>(
        `SELECT (SELECT count(*) FROM ${table}) AS rows, pg_total_relation_size('${table}') AS bytes`)
      return { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes) }
    }
    sizes[service] = { outbox: await of('outbox'), inbox: await of('inbox') }
  }
  return sizes
}

export function describeTableSizes(sizes: TableSizes): string {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  return SERVICES.map((s) => `${s} outbox ${sizes[s].outbox.rows} rows (${mib(sizes[s].outbox.bytes)}), inbox ${sizes[s].inbox.rows} rows (${mib(sizes[s].inbox.bytes)})`).join('; ')
}
