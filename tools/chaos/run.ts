// One chaos run end to end: its own services and data on the shared stack, load with faults, drain, invariants, result.json and the summary line.
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { kafkaGrants, prefixed, topicOf } from '@choreo/contracts'
import { freePort, serviceEnv } from '@choreo/launcher'
import { createEventCodec, createKafka, silentLogger } from '@choreo/messaging'
import { grantAcls } from '@choreo/messaging/operations'
import { principalOf } from './principals.ts'
import { createApi } from './api.ts'
import { probeCommitWindow } from './commit-window.ts'
import { consumersOf } from './consumers.ts'
import { createDuplicator } from './duplicator.ts'
import { createFaultInjector, type Flow, type Shake } from './faults.ts'
import { checkInvariants, TERMINAL_STATUSES } from './invariants.ts'
import { consumerLag, reconnectingOffsetsAdmin } from './kafka-state.ts'
import { createLoad } from './load.ts'
import type { Options } from './options.ts'
import { FAULT_KINDS, KAFKA_NODE_FAULTS, planFaults, SERVICES, type Instance, type Service } from './plan.ts'
import { BROKER_OUTAGE_DRAIN_LIMIT_SECONDS } from './profile.ts'
import { awaitQuiescence, type DrainState } from './quiescence.ts'
import { createRandom } from './random.ts'
import { createRunResources } from './run-resources.ts'
import { createSilentDb, type SilentDb } from './silent-db.ts'
import { createStackControl } from './stack-control.ts'
import { buildResult, runViolations, summaryLine, type RunResult } from './summary.ts'
import { createSupervisor } from './supervisor.ts'
import { describeTableSizes, tableSizes } from './table-sizes.ts'
import { takeSnapshot } from './snapshot.ts'
import { NEWER_BUILD, prepareNewerBuild } from './newer-build.ts'
import { createUpgrader } from './upgrade.ts'
import { checkUpgrade, type UpgradeVerdict } from './upgrade-verdict.ts'

/** Ports tried first: 41xx for each service's own instance, 42xx for the second (scale-out). */
const PREFERRED_PORTS: Record<Service, Record<Instance, number>> = {
  'order-service': { 1: 4101, 2: 4201 },
  'stock-service': { 1: 4102, 2: 4202 },
  'payment-service': { 1: 4103, 2: 4203 },
}
const SERVICE_POOL_MAX = '6'
/**
 * stock-service ships a paid order this long after it is paid (its fulfilment poller), not in
 * the transaction that sees it paid: for these seconds a modification, a cancellation or a
 * redelivered payment races the shipment, and a payment counted twice shows in paid_amount.
 */
const FULFILMENT_DELAY_MS = '3000'
const PROGRESS_EVERY_MS = 15_000
/** The inbox rows a kill can have left uncommitted are recent; older ones are long committed. */
const RECENT_INBOX_SQL = `SELECT topic, partition, "offset" FROM inbox WHERE consumer_group = ? AND handled_at > now() - interval '5 minutes'`
/** Busy: the relay has rows to publish, or the consumer handled an event a moment ago. */
const BUSY_SQL = `SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)
  OR EXISTS (SELECT 1 FROM inbox WHERE consumer_group = ? AND handled_at > now() - interval '250 milliseconds') AS busy`
/** Work a service did since a moment: rows its relay published, events its consumer handled. */
const FLOW_SQL = `SELECT (SELECT count(*) FROM outbox WHERE published_at >= ?)::int AS published,
  (SELECT count(*) FROM inbox WHERE consumer_group = ? AND handled_at >= ?)::int AS handled`

/**
 * One chaos run, start to end: its own services and data on the shared stack, load with faults,
 * drain, invariants, result. Returns the result; result.json and chaos.log are in the run's directory.
 */
export async function runChaos(options: Options, root: string): Promise<RunResult> {
  const { profile, seed } = options
  const startedAt = new Date()
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-s${seed}`
  const runDir = join(root, '.run', 'chaos', runId)
  mkdirSync(runDir, { recursive: true })
  const logFile = join(runDir, 'chaos.log')
  const note = (message: string) => appendFileSync(logFile, `${new Date().toISOString()} ${message}\n`)
  const say = (message: string) => { note(message); console.error(`[chaos] ${message}`) }

  const random = createRandom(seed)
  const stack = createStackControl({
    root, mode: options.infra === 'pause' ? 'pause' : 'restart', nodes: options.nodes, brokers: options.brokers,
    logFile: join(runDir, 'stack.log'), workDir: runDir,
  })
  const plan = planFaults(profile, random.fork('faults')).filter((f) => !options.skip.has(f.kind))
  const cluster = profile.cluster.nodes >= 3
  stack.assertOwnStack([
    ...(plan.some((f) => KAFKA_NODE_FAULTS.has(f.kind)) || profile.brokerOutageSeconds > 0 ? ['kafka' as const] : []),
    ...(plan.some((f) => f.kind === 'registry') ? ['registry' as const] : []),
  ])
  // A rolling upgrade runs the fixture's newer build beside this checkout's (upgrade.ts); built
  // before the run takes anything, so that a patch that no longer applies leaves nothing behind.
  const newer = plan.some((f) => f.kind === 'upgrade') ? prepareNewerBuild(root, runId, say) : undefined
  const ports = {} as Record<Service, Record<Instance, number>>
  for (const s of SERVICES) ports[s] = { 1: await freePort(PREFERRED_PORTS[s][1]), 2: await freePort(PREFERRED_PORTS[s][2]) }
  const kafka = createKafka({ clientId: `chaos-${runId}`, brokers: options.brokers, ...(options.sasl ? { sasl: options.sasl } : {}) }, silentLogger)
  const offsets = reconnectingOffsetsAdmin(kafka)
  say(`run ${runId}: ${profile.name} profile, seed ${seed}, logs in ${runDir}`)
  const resources = await createRunResources({ runId, postgres: options.postgres, kafka, offsets, log: note })
  // Where Kafka authenticates, each service runs as its own principal with the ACLs of the stack,
  // granted for this run's topics and groups: a grant that misses a step's topic fails the run.
  if (options.sasl) await grantAcls(kafka, kafkaGrants(resources.prefix))
  const consumers = consumersOf(resources.prefix)
  const jwtSecret = randomBytes(32).toString('hex')
  // Through a proxy of its own per instance only when a connection is to go silent: otherwise as always.
  const silentDb: SilentDb | undefined = plan.some((f) => f.kind === 'silent-db')
    ? await createSilentDb({
        databaseUrls: resources.databaseUrls, dbs: resources.dbs, offsets, groups: resources.groups,
        topicsOf: (s) => consumers[s].topics,
        portOf: (s, i) => ports[s][i], runId, trouble: (t) => faults.troubles.push(t), log: note,
        startedAt: (s, i) => supervisor.startedAt(s, i),
        lastShake: (s) => latest(supervisor.lastChange(s), faults.lastShake(s)),
      })
    : undefined

  const supervisor = createSupervisor({
    root, logDir: runDir, log: note,
    portOf: (s, i) => ports[s][i],
    envOf: (s, i) => serviceEnv({
      port: ports[s][i], databaseUrl: silentDb ? silentDb.urlOf(s, i) : resources.databaseUrls[s], topicPrefix: resources.prefix,
      kafkaBrokers: options.brokers, kafkaSasl: principalOf(s, options), registryUrl: options.registryUrl,
      jwtSecret, logLevel: 'warn',
      extra: { DATABASE_POOL_MAX: SERVICE_POOL_MAX, ...(s === 'stock-service' ? { FULFILMENT_DELAY_MS } : {}) },
    }),
  })
  const upgrader = newer && createUpgrader({
    supervisor, builds: { older: root, newer: newer.root }, dwellSeconds: profile.upgrades.dwellSeconds, log: note,
    ...(silentDb ? { isSilenced: (s: Service, i: Instance) => silentDb.isSilenced(s, i) } : {}),
  })
  const duplicator = createDuplicator({ kafka, offsets, topics: resources.eventTopics, random: random.fork('duplicates') })
  const stockDb = resources.dbs['stock-service']
  const load = createLoad({
    api: createApi({ ports: (s) => supervisor.ports(s), random: random.fork('instances') }),
    random: random.fork('load'),
    jwtSecret,
    tokenTtlSeconds: 24 * 3600,
    workers: profile.workers,
    actionsPerSecond: profile.actionsPerSecond,
    shippedBefore: async (cutoff, limit) =>
      (await stockDb('shipments').where({ status: 'SHIPPED' }).andWhere('shipped_at', '<', cutoff).orderBy('shipped_at').limit(limit).select('shipment_id'))
        .map((r: { shipment_id: string }) => r.shipment_id),
  })
  const faults = createFaultInjector({
    supervisor, duplicator, stack, log: note,
    probeCommitWindow: (service) => probeCommitWindow({
      offsets, group: resources.groups[service], topics: consumers[service].topics,
      recentInbox: async () => (await resources.dbs[service].raw(RECENT_INBOX_SQL, [resources.groups[service]])).rows,
    }),
    busy: async (service) => (await resources.dbs[service].raw(BUSY_SQL, [resources.groups[service]])).rows[0]?.busy === true,
    ...(cluster ? { cluster: { topics: resources.eventTopics, groupOf: resources.groups } } : {}),
    ...(silentDb ? { silentDb } : {}),
    ...(upgrader ? { upgrader } : {}),
    flowSince: async (since) => {
      const at = new Date(since)
      const flows: Flow[] = await Promise.all(SERVICES.map(async (s) => (await resources.dbs[s].raw(FLOW_SQL, [at, resources.groups[s], at])).rows[0] as Flow))
      return { published: flows.reduce((n, f) => n + f.published, 0), handled: flows.reduce((n, f) => n + f.handled, 0) }
    },
    httpTally: () => {
      let requests = 0
      let failed = 0
      for (const byStatus of Object.values(load.record.responses)) {
        for (const [status, n] of Object.entries(byStatus)) {
          requests += n
          if (status === '0' || Number(status) >= 500) failed += n
        }
      }
      return { requests, failed }
    },
  })

  // Interrupted: give back what a fault took from the shared stack; the services die with the run.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      say(`${sig}: stopping; the run's databases and topics are left behind`)
      void faults.restore().finally(() => process.exit(130))
    })
  }

  async function measure(): Promise<DrainState> {
    let backlog = 0
    let lag = 0
    for (const s of SERVICES) {
      backlog += Number((await resources.dbs[s]('outbox').whereNull('published_at').count({ n: '*' }))[0]?.n ?? 0)
      lag += await consumerLag(offsets, resources.groups[s], consumers[s].topics)
    }
    const [open] = await resources.dbs['order-service']('orders').whereNotIn('status', [...TERMINAL_STATUSES]).count<{ n: string }[]>({ n: '*' })
    const openOrders = Number(open?.n ?? 0)
    return { backlog, lag, openOrders }
  }

  try {
    say(`starting the services on ports ${SERVICES.map((s) => ports[s][1]).join(', ')} (second instances ${SERVICES.map((s) => ports[s][2]).join(', ')})`)
    const ready = await Promise.all(SERVICES.map((s) => supervisor.start(s, 1)))
    if (ready.includes(false)) throw new Error(`a service did not start; see the logs in ${runDir}`)
    await load.setup()
    duplicator.start()

    writeFileSync(join(runDir, 'plan.json'), JSON.stringify(plan, null, 2))
    const planned = FAULT_KINDS.map((k) => [k, plan.filter((f) => f.kind === k).length] as const).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(' ')
    say(`load for ${profile.loadSeconds}s with ${plan.length} planned faults (${planned})${options.skip.size > 0 ? `, skipping ${[...options.skip].join(', ')}` : ''}${profile.brokerOutageSeconds ? `, then a ${profile.brokerOutageSeconds}s broker outage` : ''}`)
    const loadStartedAt = Date.now()
    load.start()
    const progress = setInterval(() => {
      const total = Object.values(faults.counts).reduce((a, b) => a + b, 0)
      say(`t=${Math.round((Date.now() - loadStartedAt) / 1000)}s faults=${total} confirmed orders=${load.record.confirmedOrders.size}`)
    }, PROGRESS_EVERY_MS)
    try {
      await Promise.all([faults.run(plan, loadStartedAt), sleep(profile.loadSeconds * 1000)])
      if (profile.brokerOutageSeconds > 0) {
        say(`broker outage: Kafka stopped for ${profile.brokerOutageSeconds}s under load`)
        await faults.brokerOutage(profile.brokerOutageSeconds, loadStartedAt)
      }
    } finally {
      clearInterval(progress)
      await load.stop()
    }
    const loadStoppedAt = Date.now()
    await Promise.all(SERVICES.map((s) => supervisor.start(s, 1)))

    say(`load stopped; draining while it progresses (giving up after ${profile.drainStallSeconds}s without progress, or ${profile.drainTimeoutSeconds}s in all)`)
    const quiescence = await awaitQuiescence({
      measure, deliver: load.deliverShipped, stallMs: profile.drainStallSeconds * 1000, timeoutMs: profile.drainTimeoutSeconds * 1000, log: say,
    })
    const drainSeconds = (quiescence.at - Math.max(faults.lastEndedAt, loadStoppedAt)) / 1000
    await duplicator.stop()

    say('checking invariants')
    const snapshot = await takeSnapshot({ dbs: resources.dbs, groups: resources.groups, kafka, offsets, eventTopics: resources.eventTopics, deadLetterTopics: resources.deadLetterTopics })
    const verdict = checkInvariants(snapshot, {
      ...load.record,
      consumers,
      historyService: 'order-service',
      duplicatedMessages: faults.duplicatedMessages,
    })
    const upgrade: UpgradeVerdict | null = newer
      ? await checkUpgrade({
          kafka, offsets, producerDb: resources.dbs[NEWER_BUILD.producer], topic: prefixed(resources.prefix, topicOf(NEWER_BUILD.evolved.type)),
          newerCodec: createEventCodec({ registryUrl: options.registryUrl, schemasDir: newer.schemasDir }),
          logFiles: ([1, 2] as const).map((i) => join(runDir, `${NEWER_BUILD.consumer}-${i}.log`)),
        })
      : null
    if (upgrade) {
      say(`upgrade: ${upgrade.newerEvents} ${NEWER_BUILD.evolved.type} and ${upgrade.addedEvents} ${NEWER_BUILD.added} from the newer build on the topic; `
        + `newer ${NEWER_BUILD.consumer} instances handled ${upgrade.seenByNewer.evolved} and ${upgrade.seenByNewer.added} of them`)
    }
    const result = buildResult({
      run: runId, seed, profile: profile.name, cluster, startedAt,
      counts: faults.counts, timeline: faults.events,
      duplicatedMessages: faults.duplicatedMessages, killsInCommitWindow: faults.killsInCommitWindow, crashes: supervisor.crashes,
      verdict,
      runViolations: [
        ...runViolations(quiescence, drainSeconds, profile.brokerOutageSeconds > 0 ? { limitSeconds: BROKER_OUTAGE_DRAIN_LIMIT_SECONDS } : null),
        ...faults.troubles,
        ...(upgrade?.troubles ?? []),
      ],
      drainSeconds,
      quiescence,
      drainStallLimitSeconds: profile.drainStallSeconds,
      responses: load.record.responses,
    })
    // Outbox rows are kept 24 h and inbox rows 8 days (README, delivery guarantees): a run keeps them all.
    const tables = await tableSizes(resources.dbs)
    say(`messaging tables after the run: ${describeTableSizes(tables)}`)
    writeFileSync(join(runDir, 'result.json'), JSON.stringify({ ...result, tables, ...(upgrade ? { upgrade } : {}) }, null, 2))
    if (result.events.deadLetters > 0) say(`dead letters by reason: ${JSON.stringify(result.events.deadLettersByReason)}`)
    note(summaryLine(result))
    return result
  } finally {
    await faults.restore()
    await supervisor.stopAll()
    await silentDb?.close()
    await duplicator.stop()
    if (options.keep) {
      await resources.close()
      say(`kept: databases of ${resources.databaseUrls['order-service'].replace(/_order$/, '_*')}, topics ${resources.prefix}*`)
    } else {
      await resources.release().catch((err: unknown) => say(`could not release the run's resources: ${String(err)}`))
    }
    await offsets.close().catch(() => {})
    if (!options.keep) newer?.remove()
  }
}

const latest = (a: Shake | null, b: Shake | null): Shake | null => (!a ? b : !b ? a : a.at >= b.at ? a : b)
