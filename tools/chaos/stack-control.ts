// The runner's hands on the shared stack: Kafka, registry and PostgreSQL stopped, frozen or restarted through stack.sh, and Kafka's admin tools.
import { spawn } from 'node:child_process'
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * How the shared stack's Kafka and registry are taken away: `restart` really stops and starts
 * them with the stack's own shell functions (infra/bin/stack.sh), as the issue asks; `pause`
 * freezes the JVMs with SIGSTOP and thaws them with SIGCONT, which disturbs others less while
 * developing (PostgreSQL has no pause: it is not touched then).
 */
export type InfraMode = 'restart' | 'pause'

/** One partition as the brokers describe it now. */
export interface PartitionState {
  topic: string
  partition: number
  /** -1 while it has none. */
  leader: number
  replicas: number[]
  isr: number[]
}

export interface StackControl {
  /** Kafka nodes in the stack (CHOREO_BROKERS). */
  readonly nodes: number
  /** Every node, or the one node: stopped (or frozen) and started (or thawed). */
  stopKafka(): Promise<void>
  startKafka(): Promise<void>
  stopRegistry(): Promise<void>
  startRegistry(): Promise<void>
  /** Restarts the PostgreSQL cluster: every database on the machine goes away for a moment. */
  restartPostgres(): Promise<void>
  readonly canRestartPostgres: boolean
  /** kill -9 of node i (its process group); resolves once it is gone. */
  killNode(node: number): Promise<void>
  /** SIGTERM of node i: a controlled shutdown, its leaderships handed over first (stop_one). */
  stopNode(node: number): Promise<void>
  /** Starts node i and waits until this incarnation has started and is a registered broker. */
  startNode(node: number): Promise<void>
  /** Every partition of every topic (internal ones included), from the brokers' metadata. */
  partitions(): Promise<PartitionState[]>
  /** The node id of the active controller (the quorum's leader), from MetadataQuorumCommand. */
  activeController(): Promise<number>
  /** Reorders (or moves) a partition's replicas (ReassignPartitionsCommand --execute). */
  reassign(topic: string, partition: number, replicas: readonly number[]): Promise<void>
  /** A PREFERRED leader election of one partition (LeaderElectionCommand). */
  electPreferred(topic: string, partition: number): Promise<void>
  /** A PREFERRED leader election of every partition: each led by its first replica again. */
  electAllPreferred(): Promise<void>
  /** Fails unless every component named is the one ./choreo started from this checkout. */
  assertOwnStack(components: readonly ('kafka' | 'registry')[]): void
}

// Bounds of the stack's own readiness waits (wait_for fails the script after them).
const KAFKA_READY_SECONDS = 90
const REGISTRY_READY_SECONDS = 120
const POSTGRES_READY_TRIES = 300
/** A restarted node announces that it has started (registered and unfenced) with this line. */
const NODE_STARTED_LINE = 'Kafka Server started'
const NODE_START_TIMEOUT_MS = 180_000
const NODE_EXIT_TIMEOUT_MS = 10_000
const POLL_MS = 250

export function createStackControl(deps: { root: string; mode: InfraMode; nodes: number; brokers: readonly string[]; logFile: string; workDir: string }): StackControl {
  const { root, mode, nodes, logFile } = deps
  const nodeIds = Array.from({ length: nodes }, (_, i) => i + 1)
  const pidFile = (component: string) => join(root, '.run', 'pids', `${component}.pid`)
  const nodeLog = (node: number) => join(root, '.run', 'logs', `kafka-${node}.log`)

  /** Runs stack functions in a bash that sourced bootstrap.sh and stack.sh, like ./choreo does; resolves with stdout (also logged). */
  function stack(script: string): Promise<string> {
    const fd = openSync(logFile, 'a')
    const child = spawn('bash', ['-c', `set -euo pipefail
source "$ROOT/infra/bin/bootstrap.sh"
source "$ROOT/infra/bin/stack.sh"
${script}`], { env: { ...process.env, ROOT: root, CHOREO_BROKERS: String(nodes) }, stdio: ['ignore', 'pipe', fd] })
    closeSync(fd)
    let out = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
    return new Promise((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code) => {
        if (out) appendFileSync(logFile, out)
        if (code === 0) resolve(out)
        else reject(new Error(`stack script failed (exit ${code}): ${script.split('\n')[0]}; see ${logFile}`))
      })
    })
  }

  const pidOf = (component: string) => Number(readFileSync(pidFile(component), 'utf8').trim())
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }

  function signal(component: string, sig: 'SIGSTOP' | 'SIGCONT'): void {
    process.kill(pidOf(component), sig)
  }

  function assertOwnStack(components: readonly ('kafka' | 'registry')[]): void {
    const names = components.flatMap((c) => (c === 'kafka' ? nodeIds.map((i) => `kafka-${i}`) : [c]))
    for (const name of names) {
      try {
        process.kill(pidOf(name), 0)
      } catch {
        throw new Error(`${name} is not running from ${pidFile(name)}: the run cannot stop and start it (./choreo up, --skip, or --infra none)`)
      }
    }
  }

  async function killNode(node: number): Promise<void> {
    const pid = pidOf(`kafka-${node}`)
    try {
      process.kill(-pid, 'SIGKILL') // its process group (stack.sh starts it with setsid)
    } catch {
      process.kill(pid, 'SIGKILL')
    }
    const deadline = Date.now() + NODE_EXIT_TIMEOUT_MS
    while (alive(pid)) {
      if (Date.now() > deadline) throw new Error(`kafka-${node} (pid ${pid}) did not die after SIGKILL`)
      await sleep(POLL_MS)
    }
  }

  async function startNode(node: number): Promise<void> {
    if (existsSync(pidFile(`kafka-${node}`)) && alive(pidOf(`kafka-${node}`))) {
      await stack(`wait_for kafka-${node} ${KAFKA_READY_SECONDS} kafka_node_ready ${node}`)
      return
    }
    // Ready is this incarnation's start line: a node killed a moment ago is still registered
    // (its session lasts 9 s), so the metadata alone would call it back before it is.
    const from = existsSync(nodeLog(node)) ? statSync(nodeLog(node)).size : 0
    await stack(`ensure_kafka; start_kafka_node ${node}`)
    const deadline = Date.now() + NODE_START_TIMEOUT_MS
    for (;;) {
      if (startedSince(nodeLog(node), from)) break
      if (!alive(pidOf(`kafka-${node}`))) throw new Error(`kafka-${node} exited while starting; see ${nodeLog(node)}`)
      if (Date.now() > deadline) throw new Error(`kafka-${node} not started after ${NODE_START_TIMEOUT_MS / 1000}s; see ${nodeLog(node)}`)
      await sleep(POLL_MS)
    }
    await stack(`wait_for kafka-${node} ${KAFKA_READY_SECONDS} kafka_node_ready ${node}`)
  }

  async function partitions(): Promise<PartitionState[]> {
    return parseKcatMetadata(await run('kcat', ['-b', deps.brokers.join(','), '-L', '-m', '5']))
  }

  async function activeController(): Promise<number> {
    const out = await stack('kafka_tool org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$KAFKA_BROKERS" --command-config "$KAFKA_ADMIN_CONFIG" describe --status')
    const id = /^LeaderId:\s+(-?\d+)/m.exec(out)?.[1]
    if (id === undefined || Number(id) < 0) throw new Error(`no active controller in: ${out.trim()}`)
    return Number(id)
  }

  async function reassign(topic: string, partition: number, replicas: readonly number[]): Promise<void> {
    const file = join(deps.workDir, `reassign-${topic}-${partition}-${Date.now()}.json`)
    writeFileSync(file, JSON.stringify({ version: 1, partitions: [{ topic, partition, replicas }] }))
    await stack(`kafka_tool org.apache.kafka.tools.reassign.ReassignPartitionsCommand --bootstrap-server "$KAFKA_BROKERS" --command-config "$KAFKA_ADMIN_CONFIG" --reassignment-json-file '${file}' --execute`)
  }

  async function electPreferred(topic: string, partition: number): Promise<void> {
    await stack(`kafka_tool org.apache.kafka.tools.LeaderElectionCommand --bootstrap-server "$KAFKA_BROKERS" --admin.config "$KAFKA_ADMIN_CONFIG" --election-type PREFERRED --topic '${topic}' --partition ${partition}`)
  }

  async function electAllPreferred(): Promise<void> {
    await stack(`kafka_tool org.apache.kafka.tools.LeaderElectionCommand --bootstrap-server "$KAFKA_BROKERS" --admin.config "$KAFKA_ADMIN_CONFIG" --election-type PREFERRED --all-topic-partitions`)
  }

  const clusterOps = {
    nodes, killNode, startNode, partitions, activeController, reassign, electPreferred, electAllPreferred, assertOwnStack,
    stopNode: async (node: number) => { await stack(`stop_one kafka-${node}`) },
  }

  if (mode === 'pause') {
    const allNodes = (sig: 'SIGSTOP' | 'SIGCONT') => { for (const i of nodeIds) signal(`kafka-${i}`, sig) }
    return {
      ...clusterOps,
      stopKafka: async () => allNodes('SIGSTOP'),
      startKafka: async () => allNodes('SIGCONT'),
      stopRegistry: async () => signal('registry', 'SIGSTOP'),
      startRegistry: async () => signal('registry', 'SIGCONT'),
      restartPostgres: () => Promise.reject(new Error('PostgreSQL cannot be paused')),
      canRestartPostgres: false,
    }
  }
  return {
    ...clusterOps,
    stopKafka: async () => { await stack('stop_kafka') },
    startKafka: async () => { await stack(`ensure_kafka; start_kafka; wait_for kafka-1 ${KAFKA_READY_SECONDS} kafka_ready`) },
    stopRegistry: async () => { await stack('stop_one registry') },
    startRegistry: async () => { await stack(`ensure_registry; start_registry; wait_for registry ${REGISTRY_READY_SECONDS} registry_ready`) },
    restartPostgres: async () => {
      await stack(`pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main restart
for _ in $(seq ${POSTGRES_READY_TRIES}); do postgres_ready && exit 0; sleep 0.2; done; die "PostgreSQL did not come back"`)
    },
    canRestartPostgres: true,
  }
}

/** Whether the node's log has its start line after `from` (the log's size before this start). */
function startedSince(log: string, from: number): boolean {
  if (!existsSync(log)) return false
  const text = readFileSync(log)
  return text.subarray(Math.min(from, text.length)).includes(NODE_STARTED_LINE)
}

function run(command: string, args: readonly string[]): Promise<string> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} failed (exit ${code}): ${err.trim()}`))))
  })
}

/** kcat -L's partition lines: `partition 0, leader 3, replicas: 3,1,2, isrs: 3,1` under `topic "t" with n partitions:`. */
export function parseKcatMetadata(text: string): PartitionState[] {
  const out: PartitionState[] = []
  let topic: string | null = null
  const ids = (list: string) => list.split(',').map((s) => s.trim()).filter(Boolean).map(Number)
  for (const line of text.split('\n')) {
    const t = /^\s*topic "([^"]+)" with \d+ partitions:/.exec(line)
    if (t) {
      topic = t[1]!
      continue
    }
    const p = /^\s*partition (\d+), leader (-?\d+), replicas: ([\d,]*), isrs: ([\d,]*)/.exec(line)
    if (p && topic !== null) out.push({ topic, partition: Number(p[1]), leader: Number(p[2]), replicas: ids(p[3]!), isr: ids(p[4]!) })
  }
  return out
}
