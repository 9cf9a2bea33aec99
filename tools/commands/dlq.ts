// choreo dlq: list | show <id> | redrive <id|--all> [--topic <dlt>] | retry|discard <ref>: dead letters and parked outbox rows
import { prefixed } from '@choreo/contracts'
import { discardParked, listParked, missingTopics, republish, retryParked, spansOf } from '@choreo/messaging/operations'
import { openClients } from '../lib/clients.ts'
import { CommandFailed, runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, verbOf } from '../lib/command-line.ts'
import { confirmed } from '../lib/confirm.ts'
import { lettersById, parkedRows, readLetters, withStates, type LetterState } from '../lib/dead-letter-reads.ts'
import { deadLetterTopics, redriveOf } from '../lib/dead-letters.ts'
import { decodeRecord } from '../lib/event-record.ts'
import { parkedOf, parseParkedRef, type Parked } from '../lib/parked-rows.ts'
import { readSettings } from '../lib/settings.ts'
import { clip, formatTable } from '../lib/table.ts'

const usage = `
usage: ./choreo dlq list [--topic <dlt>] [--json]
       ./choreo dlq show <id> [--json]
       ./choreo dlq redrive <id>... | --all [--topic <dlt>]
       ./choreo dlq retry <ref> [--yes]
       ./choreo dlq discard <ref> [--yes]
  <id>       <dead-letter topic>:<partition>:<offset>, as list shows it
  <ref>      <service>:outbox:<row id>, a parked outbox row as list shows it
  --topic    one dead-letter topic (e.g. payment-service.dlt); default: all three services'
  --prefix P topic prefix (default TOPIC_PREFIX, '' on the local stack)
  --yes      do not ask for a confirmation (retry, discard)
list shows each dead letter with its reason (dlt-reason, dlt-error) and whether the consumer group has
handled its event since (its inbox), then each parked outbox row: one the relay could never publish
(too large for the broker, its topic missing), with the reason and how many later rows of its order wait
behind it. --json prints {"deadLetters": [...], "parked": [...]}.
redrive puts a dead letter's original bytes, key and headers (without the dlt-* ones) back on the topic and
partition they were consumed from; the inbox makes any copy a no-op, so a redriven message is handled
once, however often it is sent.
retry hands a parked row back to the relay (after the cause is fixed: the topic created, the broker's
limit raised); it goes first, then the rows that waited. discard gives it up for good: it is never
published, and the rows that waited go on. Both ask for a confirmation.
`

const ERROR_WIDTH = 70

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { topic: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' }, prefix: { type: 'string' }, yes: { type: 'boolean' } })
  const verb = verbOf(positionals, ['list', 'show', 'redrive', 'retry', 'discard'])
  const ids = positionals.slice(1)
  if (verb === 'retry' || verb === 'discard') return parkedVerb(verb, ids, Boolean(values.yes), values.prefix)
  if (values.yes) throw new UsageError('--yes belongs to dlq retry and dlq discard')
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
      const parked = await parkedRows(clients)
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ deadLetters: states.map(jsonOf), parked })}\n`)
        return 0
      }
      if (states.length === 0) {
        process.stdout.write(`no dead letters on ${topics.join(', ')}\n`)
      } else {
        process.stdout.write(`${formatTable(['ID', 'DEAD-LETTERED', 'GROUP', 'EVENT', 'ORDER', 'REASON', 'ERROR', 'STATE'], states.map(({ letter: l, handledAt }) => [
          l.id, l.at, l.group, l.eventType ?? '?', l.key ?? '-', l.reason, clip(l.error, ERROR_WIDTH), handledAt ? `handled ${handledAt.toISOString()}` : 'not handled',
        ]))}\n`)
      }
      process.stdout.write(parked.length === 0 ? 'no parked outbox rows\n' : `\nparked outbox rows (./choreo dlq retry|discard <ref>):\n${formatParked(parked)}\n`)
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

function formatParked(rows: Parked[]): string {
  return formatTable(['REF', 'PARKED', 'EVENT', 'ORDER', 'TOPIC', 'WAITING', 'REASON'], rows.map((r) => [
    r.ref, r.parkedAt.toISOString(), r.eventType, r.key, r.topic, String(r.waiting), clip(r.reason, ERROR_WIDTH),
  ]))
}

/** dlq retry|discard <ref>: shows the row, asks, then hands it back to the relay or gives it up. */
async function parkedVerb(verb: 'retry' | 'discard', refs: string[], yes: boolean, prefix: string | undefined): Promise<number> {
  if (refs.length !== 1) throw new UsageError(refs.length === 0 ? `missing the row: dlq ${verb} <service>:outbox:<id>` : `dlq ${verb} takes one row`)
  const at = parseParkedRef(refs[0]!)
  if (!at) throw new UsageError(`'${refs[0]}' is not a parked row like stock-service:outbox:42 (see ./choreo dlq list)`)
  const clients = openClients(readSettings({ prefix }))
  try {
    const db = clients.db(at.service)
    const row = (await listParked(db)).find((r) => r.id === at.id)
    if (!row) throw new CommandFailed(`no parked row ${refs[0]} (see ./choreo dlq list)`)
    process.stdout.write(`${formatParked([parkedOf(at.service, row)])}\n`)
    const what = verb === 'retry'
      ? `Hand ${refs[0]} back to ${at.service}'s relay (it goes before the ${row.waiting} row(s) of order ${row.key} that wait)?`
      : `Discard ${refs[0]} for good (it is never published; the ${row.waiting} row(s) of order ${row.key} that wait go on)?`
    if (!(await confirmed(what, yes))) {
      process.stdout.write('nothing changed\n')
      return 1
    }
    const done = verb === 'retry' ? await retryParked(db, at.id) : await discardParked(db, at.id)
    if (!done) throw new CommandFailed(`${refs[0]} is no longer parked (retried or discarded meanwhile)`)
    process.stdout.write(verb === 'retry' ? `${refs[0]} handed back to the relay\n` : `${refs[0]} discarded\n`)
    return 0
  } finally {
    await clients.close()
  }
}

function jsonOf({ letter, handledAt }: LetterState) {
  const { message: _bytes, ...rest } = letter
  return { ...rest, handledAt: handledAt?.toISOString() ?? null }
}
