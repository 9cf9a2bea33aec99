import knex from 'knex'
const db = knex({ client: 'pg', connection: 'postgres://postgres@127.0.0.1:5432/postgres', pool: { min: 1, max: 1 } })
await db.raw('select 1')
const t: number[] = []
for (let i = 0; i < 200; i++) { const s = performance.now(); await db.raw('select 1'); t.push(performance.now() - s) }
t.sort((a, b) => a - b); console.log('select 1 p50', t[100]?.toFixed(2), 'p99', t[198]?.toFixed(2))
await db.raw('create temp table x (id int)')
const c: number[] = []
for (let i = 0; i < 100; i++) { const s = performance.now(); await db.transaction(async (trx) => { await trx.raw('insert into x values (1)') }); c.push(performance.now() - s) }
c.sort((a, b) => a - b); console.log('tx insert p50', c[50]?.toFixed(2), 'p99', c[98]?.toFixed(2))
await db.destroy()
