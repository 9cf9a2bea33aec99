// choreo events: tail <topic|all> [--from-beginning | --since 10m] [--key <orderId>] [--follow]: decoded events
import { eventTopics, prefixed } from '@choreo/contracts'
import { missingTopics, readSpans, spansOf, type PartitionSpan, type ReadFrom } from '@choreo/messaging/operations'
import { openClients, type Clients } from '../lib/clients.ts'
import { CommandFailed, runCommand, UsageError } from '../lib/command.ts'
import { oneOf, parseCommandLine, verbOf, wholeNumber } from '../lib/command-line.ts'
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

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, {
    'from-beginning': { type: 'boolean' }, since: { type: 'string' }, last: { type: 'string' }, key: { type: 'string' },
    follow: { type: 'boolean' }, format: { type: 'string' }, prefix: { type: 'string' },
  })
  verbOf(positionals, ['tail'])
  const name = positionals[1]
  if (!name) throw new UsageError('missing the topic: events tail <topic|all>')
  if (positionals.length > 2) throw new UsageError(`unexpected argument '${positionals[2]}'`)
  if (values['from-beginning'] && values.since) throw new UsageError('--from-beginning and --since exclude each other')
  const format = values.format === undefined ? undefined : oneOf('--format', values.format, ['json', 'table'])
  const last = values.last === undefined ? DEFAULT_LAST : wholeNumber('--last', values.last)
  const from: ReadFrom = values['from-beginning'] || (values.key && !values.since && values.last === undefined) ? { kind: 'beginning' }
    : values.since ? { kind: 'time', at: parseTime(values.since, '--since') }
      : { kind: 'last', count: last }

  const clients = openClients(readSettings({ prefix: values.prefix }))
  const stop = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort())
  try {
    const topics = (name === 'all' ? Object.values(eventTopics) : [name]).map((t) => prefixed(clients.settings.prefix, t))
    const spans = await snapshotSpans(clients, topics, from)
    const print = createRecordPrinter(outputFormat(format, process.stdout.isTTY === true), (line) => process.stdout.write(`${line}\n`), process.stdout.columns)
    const wanted = (r: EventRecord): boolean => values.key === undefined || r.key === values.key

    const records: EventRecord[] = []
    for await (const message of readSpans(clients.kafka, spans, { signal: stop.signal })) {
      const record = await decodeRecord(clients.codec, message)
      if (wanted(record)) records.push(record)
    }
    // Partitions interleave as they are fetched: the snapshot is printed in time order.
    records.sort((a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? '') || (a.topic ?? '').localeCompare(b.topic ?? '') || (a.partition ?? 0) - (b.partition ?? 0) || (a.offset ?? 0) - (b.offset ?? 0))
    for (const record of from.kind === 'last' ? records.slice(-last) : records) print(record)
    // On stderr, so that piped JSON stays one event per line; silence would look like a hang or a wrong topic.
    if (records.length === 0) process.stderr.write(`${noEvents(topics, from, values.key)}${values.follow ? '; following, Ctrl-C stops' : ''}\n`)

    if (values.follow && !stop.signal.aborted) {
      const onward = spans.map((s): PartitionSpan => ({ ...s, from: s.to ?? s.from, to: null }))
      for await (const message of readSpans(clients.kafka, onward, { signal: stop.signal })) {
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

/** What was looked for and not found, in the words of the options given. */
function noEvents(topics: readonly string[], from: ReadFrom, key: string | undefined): string {
  const since = from.kind === 'time' ? ` since ${new Date(from.at).toISOString()}` : ''
  return `no events on ${topics.join(', ')}${key === undefined ? '' : ` with key ${key}`}${since}`
}
