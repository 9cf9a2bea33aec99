// Proves each import boundary of eslint.config.js: a snippet crossing it, linted as a file in that folder, is an error;
// an import the layering allows is none.
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const eslint = new ESLint({ cwd: root })

/** The no-restricted-imports messages ESLint gives `source` as the file `file` (relative to the repository root). */
async function restrictions(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\n`, { filePath: `${root}${file}` })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

// [the boundary, the importing file, the import]
const crossing: [string, string, string][] = [
  // (a) kafkajs, avsc and the registry client only inside packages/messaging
  ['kafkajs outside messaging', 'tools/lib/x.ts', "import { Kafka } from 'kafkajs'"],
  ['kafkajs outside messaging, type only', 'packages/testkit/src/x.ts', "import type { Producer } from 'kafkajs'"],
  ['avsc outside messaging', 'packages/platform/src/x.ts', "import avro from 'avsc'"],
  ['the registry client outside messaging', 'order-service/src/x.test.ts', "import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'"],
  // (b) tools, bench, e2e and scripts reach a service only through its public entry
  ['a service repository from tools', 'tools/lib/x.ts', "import { findOrder } from '../../order-service/src/repositories/orders.ts'"],
  ['a service app from e2e', 'e2e/x.ts', "import { build } from '../stock-service/src/app.ts'"],
  ['a service file by package name from scripts', 'scripts/x.ts', "import { saga } from '@choreo/payment-service/src/saga.ts'"],
  ['a service file from a bench test', 'bench/x.test.ts', "import { saga } from '../payment-service/src/saga.ts'"],
  ["a package's files from tools", 'tools/lib/x.ts', "import { createDb } from '../../packages/platform/src/db.ts'"],
  ["platform's HTTP part from tools", 'tools/commands/x.ts', "import { createHttp } from '@choreo/platform/http'"],
  ["messaging's test clients outside tests", 'tools/chaos/x.ts', "import { testKafkaClient } from '@choreo/messaging/testing'"],
  ["a service's internals from the explorer", 'explorer/src/x.ts', "import { findOrder } from '@choreo/order-service/src/repositories/orders.ts'"],
  // (c) no package imports one above it; services never import each other
  ['contracts importing messaging', 'packages/contracts/src/x.ts', "import { createKafka } from '@choreo/messaging'"],
  ['messaging importing platform', 'packages/messaging/src/x.ts', "import { loadConfig } from '@choreo/platform'"],
  ['messaging code importing testkit', 'packages/messaging/src/x.ts', "import { infra } from '@choreo/testkit'"],
  ['platform importing testkit', 'packages/platform/src/x.ts', "import { infra } from '@choreo/testkit'"],
  ['platform importing a service', 'packages/platform/src/x.ts', "import { saga } from '@choreo/order-service'"],
  ['platform importing operations tooling', 'packages/platform/src/x.ts', "import { republish } from '@choreo/messaging/operations'"],
  ['testkit importing a service', 'packages/testkit/src/x.ts', "import { build } from '@choreo/stock-service'"],
  ['a relative path out of a package', 'packages/messaging/src/dialects/x.ts', "import { createDb } from '../../../platform/src/db.ts'"],
  ['a service importing another', 'order-service/src/x.ts', "import { saga } from '@choreo/stock-service'"],
  ['a service importing another by path', 'payment-service/src/steps/x.ts', "import { findReservation } from '../../../stock-service/src/repositories/reservations.ts'"],
  ['a service importing tools', 'stock-service/src/x.ts', "import { readSettings } from '../../tools/lib/settings.ts'"],
  ['service code importing testkit', 'order-service/src/routes/x.ts', "import { eventually } from '@choreo/testkit'"],
  ['a service importing the launcher', 'order-service/src/x.ts', "import { launchService } from '@choreo/launcher'"],
  ['a service importing operations tooling', 'stock-service/src/x.ts', "import { readSpans } from '@choreo/messaging/operations'"],
  // (d) top-level folders reach one another only through a package entry
  ['scripts importing tools', 'scripts/x.ts', "import { readSettings } from '../tools/lib/settings.ts'"],
  ["tools importing bench's files", 'tools/commands/x.ts', "import { chartSaga } from '../../bench/chart.ts'"],
  ["a tools test importing e2e's files", 'tools/test/x.int.test.ts', "import { startSystem } from '../../e2e/system.ts'"],
  ['bench importing tools', 'bench/x.ts', "import { readSettings } from '../tools/lib/settings.ts'"],
  ["the explorer's test importing e2e's files", 'explorer/test/x.test.ts', "import { useShop } from '../../e2e/fixtures.ts'"],
]

const allowed: [string, string, string][] = [
  ['kafkajs inside messaging', 'packages/messaging/src/x.ts', "import { Kafka } from 'kafkajs'"],
  ["a service's public entry by name", 'tools/lib/x.ts', "import { saga } from '@choreo/order-service'"],
  ["a service's public entry by path", 'scripts/x.ts', "import { saga } from '../order-service/src/public.ts'"],
  ["platform's core from tools", 'tools/lib/x.ts', "import { createDb, loadConfig } from '@choreo/platform'"],
  ['operations tooling from tools', 'tools/commands/x.ts', "import { readSpans } from '@choreo/messaging/operations'"],
  ['tools importing bench through its entry', 'tools/commands/x.ts', "import { chartSaga } from '@choreo/bench'"],
  ["a tools test using the system tier's harness", 'tools/test/x.int.test.ts', "import { useShop } from '@choreo/e2e'"],
  ["the explorer serving HTTP with platform's HTTP part", 'explorer/src/x.ts', "import { serve } from '@choreo/platform/http'"],
  ['messaging tests using testkit', 'packages/messaging/src/x.int.test.ts', "import { infra } from '@choreo/testkit'"],
  ["messaging's test support using testkit", 'packages/messaging/src/testing/x.ts', "import { infra } from '@choreo/testkit'"],
  ["testkit using messaging's test clients", 'packages/testkit/src/x.ts', "import { testKafkaClient } from '@choreo/messaging/testing'"],
  ['platform importing messaging', 'packages/platform/src/x.ts', "import { classify } from '@choreo/messaging'"],
  ['a service importing platform and its HTTP part', 'order-service/src/x.ts', "import { NotFound } from '@choreo/platform'\nimport { serve } from '@choreo/platform/http'"],
  ['a service test using testkit', 'stock-service/src/x.int.test.ts', "import { eventually } from '@choreo/testkit'"],
  ["a service's own files", 'payment-service/src/steps/x.ts', "import { saga } from '../saga.ts'"],
]

describe('import boundaries (eslint.config.js)', () => {
  // Loading the config, its plugins and the TypeScript parser takes seconds on a busy machine: once, before the cases.
  beforeAll(() => restrictions('tools/lib/x.ts', ''), 60_000)

  it.each(crossing)('refuses %s', async (_boundary, file, source) => {
    expect(await restrictions(file, source)).not.toEqual([])
  })

  it.each(allowed)('allows %s', async (_boundary, file, source) => {
    expect(await restrictions(file, source)).toEqual([])
  })
})
