// The three-node cluster's faults (broker kill, rolling restart, leader move, controller kill), each ending only once every replica is back in sync.
import { setTimeout as sleep } from 'node:timers/promises'
import type { PlannedFault } from './plan.ts'
import type { PartitionState, StackControl } from './stack-control.ts'

/**
 * The faults of a three-node cluster: a broker killed, a rolling restart, a leader moved, the
 * active controller killed. A node fault ends only when the cluster has healed (every node back,
 * no partition under-replicated), so the next one never takes a second copy away: with
 * replication 3 and min.insync.replicas 2, one node down is invisible to producers, two are an
 * outage.
 */
export interface ClusterFaults {
  brokerKill(fault: Extract<PlannedFault, { kind: 'broker-kill' }>): Promise<string>
  rolling(fault: Extract<PlannedFault, { kind: 'rolling' }>): Promise<string>
  controller(fault: Extract<PlannedFault, { kind: 'controller' }>): Promise<string>
  /** null when nothing moved (no partition with a second in-sync replica, a tool refused): not counted. */
  leaderMove(fault: Extract<PlannedFault, { kind: 'leader-move' }>): Promise<string | null>
  /**
   * After a whole-cluster restart the node that came back first leads every partition, and Kafka
   * moves leaders home only at its next imbalance check (leader.imbalance.check.interval.seconds,
   * 300 s): a node fault meanwhile would take every leader at once. As an operator does after a
   * full restart, wait for the ISRs and run a PREFERRED election of every partition.
   */
  rebalance(): Promise<string>
}

/** What went wrong that the invariants cannot see: a cluster that did not heal within the bound. */
export interface ClusterTrouble {
  rule: 'cluster-not-healed'
  detail: string
}

/** How long a restarted node may take to be back in every ISR before the run calls it a violation. */
const HEAL_TIMEOUT_MS = 180_000
/** Polls in a row, a second apart, that must find no partition under-replicated. */
const HEALED_CONFIRMATIONS = 2
const HEAL_POLL_MS = 1000
/** A reassignment or an election shows in the metadata within this long, or it did not happen. */
const METADATA_WAIT_MS = 30_000
/** A new active controller is elected within this long of the old one's death (the quorum's election timeout is 1 s). */
const FAILOVER_WAIT_MS = 60_000
/** A node that did not start is tried again this often before the run gives up. */
const START_ATTEMPTS = 3
/** __consumer_offsets: where a group's coordinator lives. */
const OFFSETS_TOPIC = '__consumer_offsets'

export function createClusterFaults(deps: {
  stack: StackControl
  /** The run's event topics: their partitions are what the relays send to. */
  topics: readonly string[]
  /** The run's consumer groups: their coordinators' partitions move too. */
  groups: readonly string[]
  /** Waits (a few seconds at most) for a moment when a relay or a consumer is at work; whether it found one. */
  untilBusy(): Promise<boolean>
  trouble(t: ClusterTrouble): void
  log(message: string): void
}): ClusterFaults {
  const { stack, log } = deps
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`

  /** Waits until every node is back in every ISR; the seconds it took, or a trouble after HEAL_TIMEOUT_MS. */
  async function healed(after: string): Promise<string> {
    const began = Date.now()
    let quiet = 0
    let last = 'no metadata'
    while (Date.now() - began < HEAL_TIMEOUT_MS) {
      try {
        const parts = await stack.partitions()
        const under = underReplicated(parts)
        last = `${under.length} partition(s) under-replicated, e.g. ${under.slice(0, 3).map((p) => `${p.topic}-${p.partition} isr ${p.isr.join(',')}`).join('; ')}`
        if (parts.length > 0 && under.length === 0) {
          if (++quiet >= HEALED_CONFIRMATIONS) return `in every ISR ${seconds(began)} later`
        } else {
          quiet = 0
        }
      } catch (err) {
        quiet = 0
        last = `metadata unavailable: ${String(err)}`
      }
      await sleep(HEAL_POLL_MS)
    }
    deps.trouble({ rule: 'cluster-not-healed', detail: `${after}: ${last} after ${HEAL_TIMEOUT_MS / 1000}s` })
    return `NOT healed after ${HEAL_TIMEOUT_MS / 1000}s`
  }

  async function start(node: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await stack.startNode(node)
        return
      } catch (err) {
        log(`kafka-${node}: starting failed (attempt ${attempt}): ${String(err)}`)
        if (attempt >= START_ATTEMPTS) throw err
      }
    }
  }

  /** Starts a node again after `downSeconds` and waits for the cluster to heal. */
  async function restart(node: number, downSeconds: number, what: string): Promise<string> {
    await sleep(downSeconds * 1000)
    const began = Date.now()
    await start(node)
    const started = seconds(began)
    return `started again in ${started}, ${await healed(what)}`
  }

  async function waitFor<T>(what: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T | null> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      try {
        const value = await what()
        if (done(value)) return value
      } catch {
        // the metadata or the quorum is changing hands: ask again
      }
      await sleep(HEAL_POLL_MS)
    }
    return null
  }

  return {
    async rebalance() {
      const healing = await healed('whole-Kafka restart')
      const before = mostLed(await stack.partitions().catch(() => []))
      try {
        await stack.electAllPreferred()
      } catch (err) {
        return `${healing}; preferred election failed: ${String(err)}`
      }
      return `${healing}; one node led ${before} before a preferred election of every partition, ${mostLed(await stack.partitions().catch(() => []))} after`
    },

    async brokerKill({ node, downSeconds }) {
      const leads = (await stack.partitions().catch(() => [])).filter((p) => p.leader === node).length
      const busy = await deps.untilBusy()
      await stack.killNode(node)
      log(`broker-kill: kafka-${node} killed (led ${leads} partitions)`)
      const back = await restart(node, downSeconds, `kill -9 of kafka-${node}`)
      return `kill -9 kafka-${node}${busy ? ' while busy' : ''} (led ${leads} partitions), down ${downSeconds.toFixed(1)}s, ${back}`
    },

    async rolling({ firstNode }) {
      const order = Array.from({ length: stack.nodes }, (_, i) => ((firstNode - 1 + i) % stack.nodes) + 1)
      const steps: string[] = []
      for (const node of order) {
        const began = Date.now()
        await stack.stopNode(node)
        const stopped = seconds(began)
        await start(node)
        steps.push(`kafka-${node} stopped in ${stopped}, ${await healed(`rolling restart, kafka-${node}`)}`)
        log(`rolling: ${steps.at(-1)}`)
      }
      return `rolling restart ${order.map((n) => `kafka-${n}`).join(' → ')}: ${steps.join('; ')}`
    },

    async controller({ downSeconds }) {
      const old = await stack.activeController()
      await deps.untilBusy()
      const killedAt = Date.now()
      await stack.killNode(old)
      const next = await waitFor(() => stack.activeController(), (id) => id !== old, FAILOVER_WAIT_MS)
      const elected = next === null ? `no new controller within ${FAILOVER_WAIT_MS / 1000}s` : `controller ${next} elected ${seconds(killedAt)} later`
      log(`controller: active controller kafka-${old} killed, ${elected}`)
      const back = await restart(old, downSeconds, `controller failover from kafka-${old}`)
      return `kill -9 of the active controller kafka-${old}, ${elected}, down ${downSeconds.toFixed(1)}s, ${back}`
    },

    async leaderMove({ pick }) {
      const parts = await stack.partitions().catch(() => [])
      const candidates = movable(parts, deps.topics, deps.groups)
      if (candidates.length === 0) return null
      const scaled = pick * candidates.length
      const target = candidates[Math.floor(scaled)]!
      const others = target.isr.filter((id) => id !== target.leader).sort((a, b) => a - b)
      const leader = others[Math.floor((scaled % 1) * others.length)]!
      const replicas = [leader, ...target.replicas.filter((id) => id !== leader)]
      const name = `${target.topic}-${target.partition}`
      const busy = await deps.untilBusy()
      try {
        await stack.reassign(target.topic, target.partition, replicas)
        const reordered = await waitFor(() => stack.partitions(), (ps) => ps.find((p) => p.topic === target.topic && p.partition === target.partition)?.replicas[0] === leader, METADATA_WAIT_MS)
        if (!reordered) {
          log(`leader-move: ${name}: the replicas were not reordered within ${METADATA_WAIT_MS / 1000}s`)
          return null
        }
        await stack.electPreferred(target.topic, target.partition)
      } catch (err) {
        log(`leader-move: ${name}: ${String(err)}`)
        return null
      }
      const moved = await waitFor(() => stack.partitions(), (ps) => ps.find((p) => p.topic === target.topic && p.partition === target.partition)?.leader === leader, METADATA_WAIT_MS)
      if (!moved) {
        log(`leader-move: ${name}: leader is not kafka-${leader} ${METADATA_WAIT_MS / 1000}s after the election`)
        return null
      }
      return `${name}${busy ? ' while busy' : ''}: replicas ${target.replicas.join(',')} → ${replicas.join(',')}, leader kafka-${target.leader} → kafka-${leader}`
    },
  }
}

/** A consumer group's coordinator: its partition of __consumer_offsets and the node leading it. */
export interface Coordinator {
  partition: string
  node: number
}

/** Each key's group coordinator as the metadata says now (groups whose offsets partition is not in it are left out). */
export function coordinatorsOf<K extends string>(parts: readonly PartitionState[], groupOf: Record<K, string>): Map<K, Coordinator> {
  const offsets = parts.filter((p) => p.topic === OFFSETS_TOPIC)
  const out = new Map<K, Coordinator>()
  if (offsets.length === 0) return out
  for (const [key, group] of Object.entries(groupOf) as [K, string][]) {
    const partition = coordinatorPartition(group, offsets.length)
    const leader = offsets.find((p) => p.partition === partition)?.leader
    if (leader !== undefined) out.set(key, { partition: `${OFFSETS_TOPIC}-${partition}`, node: leader })
  }
  return out
}

/** The most partitions one node leads, of all: `355/355` when one node leads everything. */
function mostLed(parts: readonly PartitionState[]): string {
  const counts = new Map<number, number>()
  for (const p of parts) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1)
  return `${Math.max(0, ...counts.values())}/${parts.length}`
}

export function underReplicated(parts: readonly PartitionState[]): PartitionState[] {
  return parts.filter((p) => p.leader < 0 || p.isr.length < p.replicas.length)
}

/**
 * The partitions a leader move may pick, in a stable order (so the seed's `pick` names the same
 * one in two runs): those of the run's event topics and its groups' coordinators, each with a
 * leader and another in-sync replica to hand leadership to.
 */
export function movable(parts: readonly PartitionState[], topics: readonly string[], groups: readonly string[]): PartitionState[] {
  const wanted = new Set(topics)
  const offsetsPartitions = parts.filter((p) => p.topic === OFFSETS_TOPIC).length
  const coordinators = new Set(offsetsPartitions > 0 ? groups.map((g) => coordinatorPartition(g, offsetsPartitions)) : [])
  return parts
    .filter((p) => wanted.has(p.topic) || (p.topic === OFFSETS_TOPIC && coordinators.has(p.partition)))
    .filter((p) => p.leader >= 0 && p.isr.some((id) => id !== p.leader))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

/** Kafka's choice of a group's coordinator: Utils.abs(groupId.hashCode()) % partitions of __consumer_offsets (Java's String.hashCode; Utils.abs maps MIN_VALUE to 0). */
export function coordinatorPartition(group: string, partitions: number): number {
  let h = 0
  for (let i = 0; i < group.length; i++) h = (Math.imul(h, 31) + group.charCodeAt(i)) | 0
  return (h === -0x80000000 ? 0 : Math.abs(h)) % partitions
}
