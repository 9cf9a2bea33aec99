import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { createEventCodec } from '@choreo/messaging'
import { eventually, infra, readTopic, type ReadMessage } from '@choreo/testkit'
import { useShop, type System } from '@choreo/e2e'
import { jsonLines, runTool, toolEnv } from './tool-process.ts'

interface Listed {
  id: string
  group: string
  reason: string
  error: string
  original: { topic: string; partition: number; offset: number }
  key: string
  eventId: string
  eventType: string
  handledAt: string | null
}

interface Listing {
  deadLetters: Listed[]
  parked: { ref: string; eventId: string; key: string; reason: string; waiting: number; parkedAt: string }[]
}

describe('./choreo dlq', () => {
  let system: System
  // The whole system, started before these tests and stopped after them, as every e2e test has it.
  const shop = useShop('tools-dlq')
  let env: Record<string, string>
  let orderId: string
  let customerId: string
  let letter: ReadMessage
  let id: string
  const PRICE = 1900

  beforeAll(async () => {
    system = shop.system
    env = toolEnv(system.prefix, system.databases)
    const productId = await shop.product(5, PRICE)
    customerId = await shop.customer(10_000)
    // A bug in payment-service, as it looks from outside: its handler fails on StockReserved.
    await system.databases.payment.db.raw('ALTER TABLE order_payments RENAME TO order_payments_away')
    orderId = await shop.placed(customerId, [{ productId, quantity: 1 }])
    letter = await eventually(async () => {
      const found = (await readTopic(`${system.prefix}payment-service.dlt`)).find((m) => m.key === orderId)
      expect(found).toBeDefined()
      return found!
    }, { timeoutMs: 30_000 })
    id = `${letter.topic}:${letter.partition}:${letter.offset}`
  })

  /** payment-service's consumer counters, from its /metrics. */
  async function consumed(result: string): Promise<number> {
    const text = await (await fetch(`${system.urls.payment}/metrics`)).text()
    const line = text.split('\n').find((l) => l.startsWith('consumer_messages_total{') && l.includes(`result="${result}"`) && l.includes(`group="${system.prefix}payment-service"`))
    return line ? Number(line.split(' ').at(-1)) : 0
  }

  it('lists each dead letter with its reason, where it came from, and whether it has been handled since', async () => {
    const run = await runTool('dlq', ['list', '--json'], env)
    expect(run.code, run.stderr).toBe(0)
    const [listed] = jsonLines<Listing>(run.stdout).map((l) => l.deadLetters)
    const original = (await readTopic(`${system.prefix}stock.events`)).find((m) => m.key === orderId && m.headers['event-type'] === 'StockReserved')!
    expect(listed).toEqual([{
      id, group: `${system.prefix}payment-service`, reason: 'handler failed', error: letter.headers['dlt-error'], at: letter.headers['dlt-at'],
      original: { topic: original.topic, partition: original.partition, offset: Number(original.offset) },
      key: orderId, eventId: original.headers['event-id'], eventType: 'StockReserved', handledAt: null,
    }])
    expect(listed![0]!.error).toMatch(/order_payments/)
    const table = await runTool('dlq', ['list'], env)
    expect(table.stdout).toMatch(new RegExp(`${id.replaceAll('.', '\\.')}\\s+\\S+\\s+${system.prefix}payment-service\\s+StockReserved\\s+${orderId}\\s+handler failed\\s+.*not handled`))
  })

  it('shows one with all its headers and its decoded payload', async () => {
    const run = await runTool('dlq', ['show', id, '--json'], env)
    const [shown] = jsonLines<{ headers: Record<string, string>; type: string; payload: Record<string, unknown> }>(run.stdout)
    const { payload } = await createEventCodec({ registryUrl: infra().registryUrl }).decode(letter.value!)
    expect(shown).toMatchObject({ id, type: 'StockReserved', headers: letter.headers })
    expect(shown!.payload).toEqual(JSON.parse(JSON.stringify(payload)))
    expect((await runTool('dlq', ['show', `${letter.topic}:0:999999`], env))).toMatchObject({ code: 1, stderr: expect.stringContaining('no dead letter') })
  })

  it('refuses a redrive without a target while a dead letter is there: usage error, exit code 2, nothing sent', async () => {
    const eventId = letter.headers['event-id']
    const copiesBefore = (await readTopic(`${system.prefix}stock.events`)).filter((m) => m.headers['event-id'] === eventId).length
    const run = await runTool('dlq', ['redrive'], env)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^dlq: missing the target: dlq redrive <id>\.\.\. or dlq redrive --all\n\nusage: /)
    expect(run.stdout).toBe('')
    expect((await readTopic(`${system.prefix}stock.events`)).filter((m) => m.headers['event-id'] === eventId)).toHaveLength(copiesBefore)
    const [listed] = jsonLines<Listing>((await runTool('dlq', ['list', '--json'], env)).stdout).map((l) => l.deadLetters)
    expect(listed!.map((l) => [l.id, l.handledAt])).toEqual([[id, null]])
  })

  it('redrives it after the fix: the order completes, and however often it is sent, it is handled once', async () => {
    await system.databases.payment.db.raw('ALTER TABLE order_payments_away RENAME TO order_payments')
    const deduplicatedBefore = await consumed('deduplicated')
    const first = await runTool('dlq', ['redrive', id], env)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain(`redriven ${id} → ${letter.headers['dlt-topic']}[${letter.headers['dlt-partition']}]`)
    await shop.until(orderId, ['SHIPPED'])
    expect(await shop.balanceOf(customerId)).toBe(10_000 - PRICE)

    const again = await runTool('dlq', ['redrive', '--all', '--topic', 'payment-service.dlt'], env)
    expect(again.stdout).toContain('already handled by')
    await runTool('dlq', ['redrive', id], env)
    await eventually(async () => expect(await consumed('deduplicated')).toBe(deduplicatedBefore + 2))

    const eventId = letter.headers['event-id']
    const copies = (await readTopic(`${system.prefix}stock.events`)).filter((m) => m.headers['event-id'] === eventId)
    expect(copies).toHaveLength(4) // the original and three redrives, byte for byte
    for (const c of copies) expect([c.key, c.value, c.partition]).toEqual([orderId, letter.value, Number(letter.headers['dlt-partition'])])
    expect(copies.every((c) => !Object.keys(c.headers).some((h) => h.startsWith('dlt-')))).toBe(true)
    expect(await system.databases.payment.db('inbox').where({ event_id: eventId })).toHaveLength(1)
    expect((await shop.paymentsOf(orderId)).items.map((p) => [p.kind, p.amount.amount])).toEqual([['CHARGE', PRICE]])
    expect(await shop.balanceOf(customerId)).toBe(10_000 - PRICE)

    const [listed] = jsonLines<Listing>((await runTool('dlq', ['list', '--json'], env)).stdout).map((l) => l.deadLetters)
    expect(listed!.map((l) => [l.id, l.handledAt !== null])).toEqual([[id, true]])
  })

  it('lists a parked outbox row beside the dead letters, and retries or discards it only once confirmed', async () => {
    // Over the broker's message.max.bytes: stock-service's relay parks it.
    const stockDb = system.databases.stock.db
    const eventId = randomUUID()
    const parkedKey = randomUUID()
    await stockDb('outbox').insert({
      event_id: eventId, aggregate_type: 'Order', aggregate_id: parkedKey, event_type: 'StockReserved', topic: `${system.prefix}stock.events`,
      payload: '{}', headers: JSON.stringify({ 'event-id': eventId, 'event-type': 'StockReserved' }), value: Buffer.alloc(1_200_000, 1),
    })
    const listParked = async () => jsonLines<Listing>((await runTool('dlq', ['list', '--json'], env)).stdout)[0]!.parked
    const [parked] = await eventually(async () => {
      const rows = await listParked()
      expect(rows).toHaveLength(1)
      return rows
    }, { timeoutMs: 30_000 })
    const { id: rowId } = await stockDb('outbox').where('event_id', eventId).first('id')
    expect(parked).toMatchObject({ ref: `stock-service:outbox:${rowId}`, eventId, key: parkedKey, waiting: 0, reason: expect.stringMatching(/MESSAGE_TOO_LARGE/) })
    expect((await runTool('dlq', ['list'], env)).stdout).toMatch(new RegExp(`parked outbox rows[^\\n]*\\n.*\\n${parked!.ref}\\s+\\S+\\s+StockReserved\\s+${parkedKey}`))

    // No terminal, no --yes: refused, nothing changed.
    const unconfirmed = await runTool('dlq', ['discard', parked!.ref], env)
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toMatch(/confirmation: run it at a terminal, or pass --yes/)
    expect(await listParked()).toEqual([parked])

    // A retry hands it back: the relay tries again, and parks it again (the broker still refuses it).
    const retried = await runTool('dlq', ['retry', parked!.ref, '--yes'], env)
    expect(retried.code, retried.stderr).toBe(0)
    await eventually(async () => {
      const [again] = await listParked()
      expect(Date.parse(again!.parkedAt)).toBeGreaterThan(Date.parse(parked!.parkedAt))
    }, { timeoutMs: 30_000 })

    const discarded = await runTool('dlq', ['discard', parked!.ref, '--yes'], env)
    expect(discarded.code, discarded.stderr).toBe(0)
    expect(await listParked()).toEqual([])
    expect(await stockDb('outbox').where('event_id', eventId).first('published_at', 'discarded_at')).toMatchObject({ published_at: null, discarded_at: expect.any(Date) })
    expect(await runTool('dlq', ['discard', parked!.ref, '--yes'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('no parked row') })
  })
})
