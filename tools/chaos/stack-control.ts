import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * How the shared stack's Kafka and registry are taken away: `restart` really stops and starts
 * them with the stack's own shell functions (infra/bin/stack.sh), as the issue asks; `pause`
 * freezes the JVM with SIGSTOP and thaws it with SIGCONT, which disturbs others less while
 * developing (PostgreSQL has no pause: it is not touched then).
 */
export type InfraMode = 'restart' | 'pause'

export interface StackControl {
  stopKafka(): Promise<void>
  startKafka(): Promise<void>
  stopRegistry(): Promise<void>
  startRegistry(): Promise<void>
  /** Restarts the PostgreSQL cluster: every database on the machine goes away for a moment. */
  restartPostgres(): Promise<void>
  readonly canRestartPostgres: boolean
  /** Fails unless Kafka and the registry are the ones ./choreo started from this checkout. */
  assertOwnStack(): void
}

// Bounds of the stack's own readiness waits (wait_for fails the script after them).
const KAFKA_READY_SECONDS = 90
const REGISTRY_READY_SECONDS = 120
const POSTGRES_READY_TRIES = 300

export function createStackControl(deps: { root: string; mode: InfraMode; logFile: string }): StackControl {
  const { root, mode, logFile } = deps

  /** Runs stack functions in a bash that sourced bootstrap.sh and stack.sh, like ./choreo does. */
  function stack(script: string): Promise<void> {
    const fd = openSync(logFile, 'a')
    const child = spawn('bash', ['-c', `set -euo pipefail
source "$ROOT/infra/bin/bootstrap.sh"
source "$ROOT/infra/bin/stack.sh"
${script}`], { env: { ...process.env, ROOT: root }, stdio: ['ignore', fd, fd] })
    closeSync(fd)
    return new Promise((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`stack script failed (exit ${code}): ${script.split('\n')[0]}; see ${logFile}`))))
    })
  }

  const pidOf = (component: 'kafka' | 'registry') => Number(readFileSync(join(root, '.run', 'pids', `${component}.pid`), 'utf8').trim())

  function signal(component: 'kafka' | 'registry', sig: 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    process.kill(pidOf(component), sig)
    return Promise.resolve()
  }

  function assertOwnStack(): void {
    for (const component of ['kafka', 'registry'] as const) {
      try {
        process.kill(pidOf(component), 0)
      } catch {
        throw new Error(`${component} is not running from ${root}/.run/pids/${component}.pid: the run cannot stop and start it (./choreo up, or --infra none)`)
      }
    }
  }

  if (mode === 'pause') {
    return {
      stopKafka: () => signal('kafka', 'SIGSTOP'),
      startKafka: () => signal('kafka', 'SIGCONT'),
      stopRegistry: () => signal('registry', 'SIGSTOP'),
      startRegistry: () => signal('registry', 'SIGCONT'),
      restartPostgres: () => Promise.reject(new Error('PostgreSQL cannot be paused')),
      canRestartPostgres: false,
      assertOwnStack,
    }
  }
  return {
    stopKafka: () => stack('stop_one kafka'),
    startKafka: () => stack(`ensure_kafka; start_kafka; wait_for kafka ${KAFKA_READY_SECONDS} kafka_ready`),
    stopRegistry: () => stack('stop_one registry'),
    startRegistry: () => stack(`ensure_registry; start_registry; wait_for registry ${REGISTRY_READY_SECONDS} registry_ready`),
    restartPostgres: () => stack(`pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main restart
for _ in $(seq ${POSTGRES_READY_TRIES}); do postgres_ready && exit 0; sleep 0.2; done; die "PostgreSQL did not come back"`),
    canRestartPostgres: true,
    assertOwnStack,
  }
}
