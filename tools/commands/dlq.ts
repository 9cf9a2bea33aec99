// choreo dlq: list | show <id> | redrive <id|--all> [--topic <dlt>]: dead letters, their reason, and sending them back
import { prefixed } from '@choreo/contracts'
import { missingTopics, readSpans, republish, spansOf, type PartitionSpan } from '@choreo/messaging'
import { openClients, type Clients } from '../lib/clients.ts'
import { CommandFailed, runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, verbOf } from '../lib/command-line.ts'
import { deadLetterOf, deadLetterTopics, parseId, redriveOf, type DeadLetter } from '../lib/dead-letters.ts'
import { decodeRecord } from '../lib/event-record.ts'
import { handledEvents } from '../lib/inbox.ts'
import { serviceOfGroup } from '../lib/services.ts'
import { readSettings } from '../lib/settings.ts'
import { clip, formatTable } from '../lib/table.ts'

const usage = `
usage: ./choreo dlq list [--topic <dlt>] [--json]
       ./choreo dlq show <id> [--json]
       ./choreo dlq redrive <id>... | --all [--topic <dlt>]
  <id>       <dead-letter topic>:<partition>:<offset>, as list shows it
  --topic    one dead-letter topic (e.g. payment-service.dlt); default: all three services'
  --prefix P topic prefix (default TOPIC_PREFIX, '' on the local stack)
list shows each dead letter with its reason (dlt-reason, dlt-error) and whether the consumer group has
handled its event since (its inbox). redrive puts the original bytes, key and headers (without the dlt-*
ones) back on the topic and partition they were consumed from; the inbox makes any copy a no-op, so
a redriven message is handled once, however often it is sent.
`

const ERROR_WIDTH = 70

interface LetterState {
  letter: DeadLetter
  /** When the group's inbox recorded the event, if it has. */
  handledAt: Date | null
}

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { topic: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' }, prefix: { type: 'string' } })
  const verb = verbOf(positionals, ['list', 'show', 'redrive'])
  const ids = positionals.slice(1)
  if (verb === 'list' && ids.length > 0) throw new UsageError('dlq list takes no id')
  if (verb === 'show' && ids.length !== 1) throw new UsageError(ids.length === 0 ? 'missing the id: dlq show <id>' : 'dlq show takes one id')
  if (verb !== 'redrive' && values.all) throw new UsageError('--all belongs to dlq redrive')
  // Without a target, redrive would have nothing to send, and saying so could hide dead letters that are there.
  if (verb === 'redrive' && ids.length === 0 && !values.all) throw new UsageError('missing the target: dlq redrive <id>... or dlq redrive --all')
  if (verb === 'redrive' && ids.length > 0 && values.all) throw new UsageError('dlq redrive takes ids or --all, not both')
  const clients = openClients(readSettings({ prefix: values.prefix }))
  try {
    const topics = values.topic ? [prefixed(clients.settings.prefix, values.topic)] : deadLetterTopics(clients.settings.prefix)
    const missing = await missingTopics(clients.kafka, topics)
    if (missing.length > 0) throw new CommandFailed(`no topic ${missing.join(', ')} (the prefix is '${clients.settings.prefix}')`)
    if (verb === 'list') {
      const states = await withStates(clients, await readLetters(clients, await spansOf(clients.offsets, topics, { kind: 'beginning' }, false)))
      if (values.json) {
        process.stdout.write(`${JSON.stringify(states.map(jsonOf))}\n`)
      } else if (states.length === 0) {
        process.stdout.write(`no dead letters on ${topics.join(', ')}\n`)
      } else {
        process.stdout.write(`${formatTable(['ID', 'DEAD-LETTERED', 'GROUP', 'EVENT', 'ORDER', 'REASON', 'ERROR', 'STATE'], states.map(({ letter: l, handledAt }) => [
          l.id, l.at, l.group, l.eventType ?? '?', l.key ?? '-', l.reason, clip(l.error, ERROR_WIDTH), handledAt ? `handled ${handledAt.toISOString()}` : 'not handled',
        ]))}\n`)
      }
      return 0
    }
    if (verb === 'show') {
      const [state] = await withStates(clients, await lettersById(clients, ids))
      const { letter, handledAt } = state!
      const decoded = await decodeRecord(clients.codec, letter.message)
      const shown = { ...jsonOf(state!), headers: letter.message.headers, type: decoded.type, payload: decoded.payload, decodeError: decoded.error }
      process.stdout.write(values.json ? `${JSON.stringify(shown)}\n` : [
        `${letter.id}: ${letter.eventType ?? 'unknown event'} of order ${letter.key ?? '(no key)'}`,
        `dead-lettered ${letter.at} by ${letter.group}: ${letter.reason}`,
        `error: ${letter.error}`,
        `consumed from ${letter.original.topic}[${letter.original.partition}]@${letter.original.offset}; ${handledAt ? `handled since, at ${handledAt.toISOString()}` : 'not handled since'}`,
        'headers:', ...Object.entries(letter.message.headers).map(([k, v]) => `  ${k}: ${v}`),
        decoded.error ? `payload cannot be decoded: ${decoded.error}` : `payload (${decoded.type}):\n${JSON.stringify(decoded.payload, null, 2)}`,
        '',
      ].join('\n'))
      return 0
    }
    const letters = values.all ? await readLetters(clients, await spansOf(clients.offsets, topics, { kind: 'beginning' }, false)) : await lettersById(clients, ids)
    const states = await withStates(clients, letters)
    await republish(clients.kafka, letters.map(redriveOf))
    for (const { letter, handledAt } of states) {
      process.stdout.write(`redriven ${letter.id} → ${letter.original.topic}[${letter.original.partition}] (${letter.eventType ?? '?'} of order ${letter.key ?? '-'})`
        + `${handledAt ? `: already handled by ${letter.group}, so its inbox will drop this copy` : ''}\n`)
    }
    if (letters.length === 0) process.stdout.write(`no dead letters on ${topics.join(', ')}: nothing redriven\n`)
  } finally {
    await clients.close()
  }
})

async function readLetters(clients: Clients, spans: PartitionSpan[]): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = []
  for await (const message of readSpans(clients.kafka, spans)) letters.push(deadLetterOf(message))
  return letters
}

async function lettersById(clients: Clients, ids: readonly string[]): Promise<DeadLetter[]> {
  const spans: PartitionSpan[] = []
  for (const id of ids) {
    const at = parseId(id)
    if (!at) throw new UsageError(`'${id}' is not an id like payment-service.dlt:0:12`)
    const range = (await missingTopics(clients.kafka, [at.topic])).length > 0 ? undefined : (await clients.offsets.ranges(at.topic)).find((r) => r.partition === at.partition)
    // Only what is on the partition: a span past its end would wait for a message that may never come.
    if (range && at.offset >= range.low && at.offset < range.high) spans.push({ topic: at.topic, partition: at.partition, from: at.offset, to: at.offset + 1n })
  }
  const letters = await readLetters(clients, spans)
  const missing = ids.filter((id) => !letters.some((l) => l.id === id))
  if (missing.length > 0) throw new CommandFailed(`no dead letter ${missing.join(', ')} (see ./choreo dlq list)`)
  return ids.map((id) => letters.find((l) => l.id === id)!)
}

/** Whether each letter's group has handled its event since: the group's service's inbox says. */
async function withStates(clients: Clients, letters: DeadLetter[]): Promise<LetterState[]> {
  return Promise.all(letters.map(async (letter) => {
    const service = serviceOfGroup(letter.group, clients.settings.prefix)
    if (!service || !letter.eventId) return { letter, handledAt: null }
    const handled = await handledEvents(clients.db(service), letter.group, [letter.eventId])
    return { letter, handledAt: handled.get(letter.eventId) ?? null }
  }))
}

function jsonOf({ letter, handledAt }: LetterState) {
  const { message: _bytes, ...rest } = letter
  return { ...rest, handledAt: handledAt?.toISOString() ?? null }
}
