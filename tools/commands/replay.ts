// choreo replay: --group <g> --topic <t> (--from-offset N | --from-time T) [--dry-run] | --read-model: replay a stopped group; rebuild a read model
import { prefixed } from '@choreo/contracts'
import { openClients, type Clients } from '../lib/clients.ts'
import { CommandFailed, runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, wholeNumber } from '../lib/command-line.ts'
import { formatSpan, parseDuration, parseTime } from '../lib/duration.ts'
import { handledEvents } from '../lib/inbox.ts'
import { compareWithLive, rebuildReadModel, type Verdict } from '../lib/read-model.ts'
import { forecast, planMoves, type PartitionMove, type ReplayForecast, type ReplayStart } from '../lib/replay-plan.ts'
import { DEFAULT_SCRATCH_URL, openScratch } from '../lib/scratch-database.ts'
import { serviceOfGroup } from '../lib/services.ts'
import { readSettings, type Settings } from '../lib/settings.ts'
import { formatTable } from '../lib/table.ts'

const usage = `
usage: ./choreo replay --group <group> --topic <topic> (--from-offset N [--partition P] | --from-time <ISO time|10m>)
                       [--dry-run] [--no-wait] [--wait-timeout 10m] [--json] [--prefix P]
       ./choreo replay --read-model [--into <postgres url>] [--json] [--prefix P]
Moves a consumer group back to an offset (every partition, or --partition's) or to the first message at a
time, and says what its service will do with each message it gets again, from its saga and its inbox:
deduplicated (already handled: no effect), handled (not in the inbox yet, e.g. dead-lettered before),
ignored (no handler). Kafka only moves the offsets of a group without members, so the service must be
stopped first; the command refuses otherwise and says how. Without --no-wait it then waits for the
service to be started again and to re-read everything, and reports what happened (its inbox before/after).
--read-model replays the three event topics from the beginning into a fresh consumer group that folds
them into order statuses in a scratch database (default ${DEFAULT_SCRATCH_URL}, recreated each time)
and compares them with order-service's. Exits 1 when a final order differs, or an order's events are gone from Kafka.
`

const DEFAULT_WAIT = '10m'
const VERDICT_NOTES: Partial<Record<Verdict, string>> = {
  'events missing': ': no topic has an event of it; Kafka lost them (README, Troubleshooting)',
}
const POLL_MS = 1000

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, {
    group: { type: 'string' }, topic: { type: 'string' }, 'from-offset': { type: 'string' }, partition: { type: 'string' },
    'from-time': { type: 'string' }, 'dry-run': { type: 'boolean' }, 'no-wait': { type: 'boolean' }, 'wait-timeout': { type: 'string' },
    'read-model': { type: 'boolean' }, into: { type: 'string' }, json: { type: 'boolean' }, prefix: { type: 'string' },
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const settings = readSettings({ prefix: values.prefix })
  if (values['read-model']) {
    if (values.group || values.topic) throw new UsageError('--read-model replays into a fresh group of its own: no --group or --topic')
    return withClients(settings, (clients) => rebuild(clients, values.into ?? DEFAULT_SCRATCH_URL, values.json === true))
  }
  if (!values.group || !values.topic) throw new UsageError('--group and --topic are required')
  if ((values['from-offset'] === undefined) === (values['from-time'] === undefined)) throw new UsageError('give one of --from-offset and --from-time')
  const start: ReplayStart = values['from-time'] !== undefined
    ? { kind: 'time', at: parseTime(values['from-time'], '--from-time') }
    : { kind: 'offset', offset: offsetOf(values['from-offset']!, '--from-offset'), ...(values.partition === undefined ? {} : { partition: wholeNumber('--partition', values.partition, 0) }) }
  const request: ReplayRequest = {
    group: prefixed(settings.prefix, values.group), topic: prefixed(settings.prefix, values.topic), start,
    dryRun: values['dry-run'] === true, wait: values['no-wait'] !== true, waitMs: parseDuration(values['wait-timeout'] ?? DEFAULT_WAIT, '--wait-timeout'),
    json: values.json === true,
  }
  return withClients(settings, (clients) => replay(clients, request))
})

async function withClients<T>(settings: Settings, work: (clients: Clients) => Promise<T>): Promise<T> {
  const clients = openClients(settings)
  try {
    return await work(clients)
  } finally {
    await clients.close()
  }
}

/** An offset: a whole number that may exceed what a JavaScript number holds exactly. */
function offsetOf(text: string, option: string): bigint {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option}: '${text}' is not a whole number`)
  return BigInt(text)
}

interface ReplayRequest {
  group: string
  topic: string
  start: ReplayStart
  dryRun: boolean
  wait: boolean
  waitMs: number
  json: boolean
}

async function replay(clients: Clients, r: ReplayRequest): Promise<number> {
  const service = serviceOfGroup(r.group, clients.settings.prefix)
  const say = (line: string): boolean => (r.json ? process.stderr : process.stdout).write(`${line}\n`)
  const state = await clients.offsets.describeGroup(r.group)
  // A dry run changes nothing, so it may look while the service runs.
  if (state.members.length > 0 && !r.dryRun) {
    const who = state.members.map((m) => `${m.clientId} on ${m.host}`).join(', ')
    throw new CommandFailed([
      `consumer group ${r.group} has ${state.members.length} member(s) (${who}): Kafka moves the offsets of a stopped group only.`,
      service ? `Stop ${service} first; on the local stack:\n  kill -TERM -- -$(cat .run/pids/${service}.pid)` : 'Stop its consumers first.',
      `then run this command again, and start ${service ?? 'them'} again once the offsets are reset${service ? ' (./choreo up)' : ''}.`,
    ].join('\n'), 3)
  }
  const moves = await planMoves(clients, r.group, r.topic, r.start)
  const fc = await forecast(clients, r.group, r.topic, moves)
  if (!r.json) printPlan(r, service, state.state, state.members.length, moves, fc)
  const report = { group: r.group, topic: r.topic, moves: moves.map((m) => ({ partition: m.partition, from: m.committed?.toString() ?? null, to: m.target.toString() })), forecast: summary(fc) }
  if (r.dryRun) {
    if (r.json) process.stdout.write(`${JSON.stringify({ ...report, reset: false })}\n`)
    else say('dry run: the offsets are unchanged')
    return 0
  }
  await clients.offsets.setOffsets(r.group, r.topic, new Map(moves.map((m) => [m.partition, m.target])))
  say(`offsets of ${r.group} on ${r.topic} reset`)
  if (!r.wait || !fc.judged) {
    if (r.json) process.stdout.write(`${JSON.stringify({ ...report, reset: true })}\n`)
    else say(`start ${service ?? 'the consumers'} again${service ? ' (./choreo up)' : ''}: it re-reads from there`)
    return 0
  }
  say(`waiting for ${r.group} to re-read up to where it was: start ${service} again (./choreo up). Ctrl-C stops waiting; the offsets stay reset.`)
  await untilCaughtUp(clients, r, moves)
  const after = await handledEvents(clients.db(service!), r.group, fc.handledIds)
  const result = {
    reread: fc.messages,
    deduplicated: fc.deduplicated,
    handled: after.size - fc.deduplicated,
    notHandled: fc.handledIds.length - after.size,
    ignored: fc.ignored,
    undecodable: fc.undecodable,
    inboxBefore: fc.deduplicated,
    inboxAfter: after.size,
  }
  if (r.json) {
    process.stdout.write(`${JSON.stringify({ ...report, reset: true, result })}\n`)
  } else {
    say(`done: ${result.reread} message(s) re-read: ${result.deduplicated} deduplicated, ${result.handled} handled, ${result.ignored} ignored, `
      + `${result.undecodable} undecodable${result.notHandled ? `, ${result.notHandled} not handled (dead-lettered again? ./choreo dlq list)` : ''}`)
    say(`inbox rows of ${r.group} for these events: ${result.inboxBefore} before, ${result.inboxAfter} after`)
  }
  return result.notHandled > 0 ? 1 : 0
}

function printPlan(r: ReplayRequest, service: string | undefined, groupState: string, members: number, moves: readonly PartitionMove[], fc: ReplayForecast): void {
  const lines = [
    `replay of ${r.group} on ${r.topic} (group ${groupState}${members > 0 ? `, ${members} member(s): stop ${service ?? 'them'} before the real replay` : ', no members'})`,
    ...moves.map((m) => `  partition ${m.partition}: ${m.committed === null ? 'never committed' : `at ${m.committed}`} → ${m.target}`),
  ]
  if (!fc.judged) {
    lines.push(`${fc.messages} message(s) will be read again (${fc.undecodable} undecodable); ${r.group} is not a service's group, so what they do is not known here`)
  } else {
    lines.push(
      `${service} will get ${fc.messages} message(s) again:`,
      `  ${fc.deduplicated} already handled (in its inbox): deduplicated, no effect`,
      `  ${fc.handled} not handled yet: handled now`,
      `  ${fc.ignored} ignored: its saga has no handler for their type`,
      `  ${fc.undecodable} undecodable: dead-lettered again`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

function summary(fc: ReplayForecast) {
  const { handledIds: _ids, ...counts } = fc
  return counts
}

async function untilCaughtUp(clients: Clients, r: ReplayRequest, moves: readonly PartitionMove[]): Promise<void> {
  const deadline = Date.now() + r.waitMs
  const wanted = moves.filter((m) => m.committed !== null)
  for (;;) {
    const now = await clients.offsets.committed(r.group, r.topic)
    if (wanted.every((m) => (now.get(m.partition) ?? -1n) >= m.committed!)) return
    if (Date.now() > deadline) throw new CommandFailed(`gave up after ${formatSpan(r.waitMs)}: ${r.group} has not re-read everything yet (is it running?); the offsets stay reset`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

async function rebuild(clients: Clients, into: string, json: boolean): Promise<number> {
  const scratch = await openScratch(into)
  try {
    const group = prefixed(clients.settings.prefix, `read-model-rebuild-${Date.now()}`)
    if (!json) process.stdout.write(`replaying order.events, stock.events and payment.events into group ${group}, projecting into ${new URL(into).pathname.slice(1)}…\n`)
    const started = new Date()
    const rebuilt = await rebuildReadModel(clients, scratch, group)
    const comparisons = await compareWithLive(clients.db('order-service'), rebuilt, started)
    const count = (v: string) => comparisons.filter((c) => c.verdict === v).length
    const failing = comparisons.filter((c) => c.verdict !== 'same' && !c.inFlight)
    if (json) {
      process.stdout.write(`${JSON.stringify({
        group, orders: comparisons.length, same: count('same'), different: count('different'), onlyLive: count('only live'), onlyRebuilt: count('only rebuilt'),
        eventsMissing: count('events missing'), comparisons,
      })}\n`)
    } else {
      process.stdout.write(`${formatTable(['ORDER', 'LIVE', 'REBUILT', 'VERDICT'], comparisons.map((c) => [
        c.orderId, c.live ?? '-', c.rebuilt ?? '-', `${c.verdict}${VERDICT_NOTES[c.verdict] ?? (c.verdict !== 'same' && c.inFlight ? ' (in flight: the saga may have moved on)' : '')}`,
      ]))}\n\n${comparisons.length} order(s) in ${formatSpan(Date.now() - started.getTime())}: ${count('same')} same, ${count('different')} different, `
        + `${count('only live')} only live, ${count('only rebuilt')} only rebuilt, ${count('events missing')} with their events missing from Kafka\n`)
    }
    return failing.length > 0 ? 1 : 0
  } finally {
    await scratch.destroy()
  }
}
