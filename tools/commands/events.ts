// choreo events: tail <topic|all> [--from-beginning | --since 10m] [--key <orderId>] [--follow]: decoded events
import { parseArgs } from 'node:util'
import { eventTopics, prefixed } from '@choreo/contracts'
import { missingTopics, readSpans, spansOf, type PartitionSpan, type ReadFrom } from '@choreo/messaging'
import { openClients, type Clients } from '../lib/clients.ts'
import { CommandFailed, runCommand, UsageError } from '../lib/command.ts'
import { parseTime } from '../lib/duration.ts'
import { decodeRecord, type EventRecord } from '../lib/event-record.ts'
import { createRecordPrinter, outputFormat } from '../lib/record-output.ts'
import { readSettings } from '../lib/settings.ts'

const usage = `
usage: ./choreo events tail <topic|all> [--from-beginning | --since <10m|ISO time>] [--last N]
                                        [--key <orderId>] [--follow] [--format json|table] [--prefix P]
  <topic>            order.events, stock.events, payment.events, a dead-letter topic (order-service.dlt…);
                     'all' is the three event topics
  --from-beginning   every message; --since 10m (or an ISO time): those since then
  --last N           without either: the N newest messages (default 10); with --key: from the beginning
  --key <orderId>    only this order's events
  --follow           then keep printing new messages until Ctrl-C
  --format           json (one line per message, the default when piped) or table (the default on a terminal)
  --prefix P         topic prefix (default TOPIC_PREFIX, '' on the local stack)
`

const DEFAULT_LAST = 10

await runCommand(usage, async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'from-beginning': { type: 'boolean' }, since: { type: 'string' }, last: { type: 'string' }, key: { type: 'string' },
      follow: { type: 'boolean' }, format: { type: 'string' }, prefix: { type: 'string' },
    },
  })
  const [verb, name] = positionals
  if (verb !== 'tail' || !name || positionals.length > 2) throw new UsageError('expected: events tail <topic|all>')
  if (values['from-beginning'] && values.since) throw new UsageError('--from-beginning and --since exclude each other')
  if (values.format !== undefined && values.format !== 'json' && values.format !== 'table') throw new UsageError(`--format: '${values.format}' is neither json nor table`)
  const last = values.last === undefined ? DEFAULT_LAST : Number(values.last)
  if (!Number.isInteger(last) || last < 1) throw new UsageError(`--last: '${values.last}' is not a positive whole number`)
  const from: ReadFrom = values['from-beginning'] || (values.key && !values.since && values.last === undefined) ? { kind: 'beginning' }
    : values.since ? { kind: 'time', at: parseTime(values.since, '--since') }
      : { kind: 'last', count: last }

  const clients = openClients(readSettings({ prefix: values.prefix }))
  const stop = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort())
  try {
    const topics = (name === 'all' ? Object.values(eventTopics) : [name]).map((t) => prefixed(clients.settings.prefix, t))
    const spans = await snapshotSpans(clients, topics, from)
    const print = createRecordPrinter(outputFormat(values.format, process.stdout.isTTY === true), (line) => process.stdout.write(`${line}\n`), process.stdout.columns)
    const wanted = (r: EventRecord): boolean => values.key === undefined || r.key === values.key

    const records: EventRecord[] = []
    for await (const message of readSpans(clients.kafka, spans, stop.signal)) {
      const record = await decodeRecord(clients.codec, message)
      if (wanted(record)) records.push(record)
    }
    // Partitions interleave as they are fetched: the snapshot is printed in time order.
    records.sort((a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? '') || (a.topic ?? '').localeCompare(b.topic ?? '') || (a.partition ?? 0) - (b.partition ?? 0) || (a.offset ?? 0) - (b.offset ?? 0))
    for (const record of from.kind === 'last' ? records.slice(-last) : records) print(record)

    if (values.follow && !stop.signal.aborted) {
      const onward = spans.map((s): PartitionSpan => ({ ...s, from: s.to ?? s.from, to: null }))
      for await (const message of readSpans(clients.kafka, onward, stop.signal)) {
        const record = await decodeRecord(clients.codec, message)
        if (wanted(record)) print(record)
      }
    }
  } finally {
    await clients.close()
  }
})

async function snapshotSpans(clients: Clients, topics: string[], from: ReadFrom): Promise<PartitionSpan[]> {
  const missing = await missingTopics(clients.kafka, topics)
  if (missing.length > 0) throw new CommandFailed(`no topic ${missing.join(', ')} (the prefix is '${clients.settings.prefix}')`)
  return spansOf(clients.offsets, topics, from, false)
}
