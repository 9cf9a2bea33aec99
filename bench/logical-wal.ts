// PostgreSQL switched to wal_level=logical for Debezium's run and back again whatever ends it, the benchmark's replication slots dropped first.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import type { BenchStack } from './stack.ts'
import { progress } from './log.ts'

/** Replication slots (and publications) the benchmark makes are named `bench_…`; cleanup drops them all. */
export const SLOT_PREFIX = 'bench_'
const READY_TIMEOUT_S = 60

export interface WalSwitch {
  /** When PostgreSQL was restarted, and why: restarts break every client's connections. */
  restarts: { at: string; to: string }[]
}

function psql(stack: BenchStack, sql: string): string {
  return execFileSync('psql', [stack.postgresUrl, '-Atqc', sql], { encoding: 'utf8' }).trim()
}

/** The Debian cluster the stack runs on (`pg_ctlcluster <version> main`). */
function clusterVersion(): string {
  let versions: string[] = []
  try {
    versions = readdirSync('/etc/postgresql')
  } catch {
    // reported below
  }
  if (versions.length !== 1) {
    throw new Error('switching wal_level needs the one local Debian PostgreSQL cluster (/etc/postgresql/<version>/main); run `./choreo bench relay --no-debezium` elsewhere')
  }
  return versions[0] as string
}

function restart(stack: BenchStack, record: WalSwitch, to: string): void {
  progress(`restarting PostgreSQL (wal_level → ${to})`)
  record.restarts.push({ at: new Date().toISOString(), to })
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), 'main', 'restart'], { stdio: 'inherit' })
  const url = new URL(stack.postgresUrl)
  execFileSync('pg_isready', ['-q', '-h', url.hostname, '-p', url.port || '5432', '-t', String(READY_TIMEOUT_S)])
}

function dropBenchSlots(stack: BenchStack): void {
  const like = `'${SLOT_PREFIX.replaceAll('_', '\\_')}%'`
  // A slot in use cannot be dropped: end its walsender first (the connector may still hold it).
  psql(stack, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name LIKE ${like} AND active_pid IS NOT NULL`)
  for (let attempt = 0; ; attempt++) {
    try {
      psql(stack, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE ${like}`)
      return
    } catch (err) {
      if (attempt >= 10) throw err
      execFileSync('sleep', ['0.5'])
    }
  }
}

/**
 * Runs `work` with PostgreSQL at wal_level=logical, which Debezium needs, and puts the previous
 * level back afterwards: on success, on failure, and on Ctrl-C or SIGTERM. The benchmark's
 * replication slots are dropped first, since PostgreSQL refuses to start below `logical` while
 * a logical slot exists. Each switch restarts the server.
 */
export async function withLogicalWal<T>(stack: BenchStack, work: () => Promise<T>): Promise<{ result: T; wal: WalSwitch }> {
  const wal: WalSwitch = { restarts: [] }
  const before = psql(stack, 'SHOW wal_level')
  if (before === 'logical') return { result: await work(), wal }

  let restored = false
  const restore = (): void => {
    if (restored) return
    restored = true
    dropBenchSlots(stack)
    psql(stack, 'ALTER SYSTEM RESET wal_level')
    restart(stack, wal, before)
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    progress(`${signal}: restoring wal_level=${before} before exiting`)
    try {
      restore()
    } finally {
      process.exit(130)
    }
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    psql(stack, 'ALTER SYSTEM SET wal_level = logical')
    restart(stack, wal, 'logical')
    return { result: await work(), wal }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    restore()
  }
}
