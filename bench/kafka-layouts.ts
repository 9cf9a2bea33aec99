// Temporary one-node and three-node Kafka stacks beside the running one, started by the stack's own scripts, for the relay-layouts benchmark.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import type { KafkaSasl } from '@choreo/messaging'
import { ROOT } from './results.ts'

/*
 * Temporary Kafka stacks beside the running one, for benchmarks that compare layouts in one run:
 * one node or a three-node cluster, on ports of their own and in a folder of their own
 * (CHOREO_RUN), started and stopped with the stack's shell functions (infra/bin/stack.sh), so
 * they are configured exactly as `./choreo up --brokers N` configures the real one.
 */
export interface KafkaLayout {
  nodes: 1 | 3
  brokers: string[]
  sasl: KafkaSasl
  stop(): Promise<void>
}

const READY_SECONDS = 180

function stackScript(env: NodeJS.ProcessEnv, script: string): Promise<void> {
  const child = spawn('bash', ['-c', `set -euo pipefail
source "$ROOT/infra/bin/bootstrap.sh"
source "$ROOT/infra/bin/stack.sh"
${script}`], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`stack script failed (exit ${code}): ${script}`))))
  })
}

/** Starts `nodes` Kafka nodes with brokers from `basePort` and controllers from `basePort + 100`. */
export async function startKafkaLayout(nodes: 1 | 3, basePort: number): Promise<KafkaLayout> {
  const run = path.join(ROOT, '.run', 'bench-kafka', `${nodes}-node`)
  rmSync(run, { recursive: true, force: true })
  const { KAFKA_BROKERS: _ignored, ...inherited } = process.env
  const env = {
    ...inherited, ROOT, CHOREO_RUN: run, CHOREO_BROKERS: String(nodes),
    KAFKA_PORT: String(basePort), KAFKA_CONTROLLER_PORT: String(basePort + 100),
  }
  await stackScript(env, `start_kafka; wait_for kafka-1 ${READY_SECONDS} kafka_ready`)
  // The layout's own operator password, made by stack.sh under its CHOREO_RUN.
  const password = readFileSync(path.join(run, 'kafka', `${nodes}-node`, 'credentials', 'operator.password'), 'utf8').trim()
  return {
    nodes,
    brokers: Array.from({ length: nodes }, (_, i) => `127.0.0.1:${basePort + i}`),
    sasl: { mechanism: 'scram-sha-512', username: 'operator', password },
    async stop() {
      await stackScript(env, 'stop_kafka')
      rmSync(run, { recursive: true, force: true })
    },
  }
}
