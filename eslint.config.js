// ESLint for the whole workspace: recommended JS/TS rules, and the import boundaries below (scripts/import-boundaries.test.ts proves each).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/*
 * Who may import whom. Each layer may import only the layers to its left, never one to its right:
 *
 *   contracts ← messaging ← platform ← testkit, launcher ← order-, stock-, payment-service ← tools, bench, e2e, scripts ← explorer
 *
 * - contracts: the events, topics and grants; imports nothing of ours.
 * - messaging: the delivery runtime (`@choreo/messaging`), the operations tooling (`/operations`) and kafkajs clients for
 *   tests (`/testing`); the ONLY code that imports kafkajs, avsc or the registry client.
 * - platform: the light core (`@choreo/platform`: config, db, errors, tokens) and the HTTP app (`/http`, Fastify).
 * - testkit (test infrastructure) and launcher (runs a service as a process) sit beside each other above platform;
 *   neither imports the other.
 * - a service imports no other service; its tests (and `src/testing/`) may use testkit, nothing else may.
 * - tools, bench, e2e and scripts reach a service only through its public entry (`@choreo/<service>`, i.e. src/public.ts),
 *   and platform only through its core. Among themselves and the explorer, one folder reaches another only through
 *   its package entry, never its files: bench ← tools (`@choreo/bench`, which ./choreo bench runs), e2e ← tools' and
 *   the explorer's tests (`@choreo/e2e`, the system tier's harness); scripts import none of them.
 * - messaging's own tests use testkit: a test-only edge, as every layer's tests do.
 */
const PACKAGES = ['contracts', 'messaging', 'platform', 'testkit', 'launcher']
const SERVICES = ['order-service', 'stock-service', 'payment-service']
const TOP = ['tools', 'bench', 'e2e', 'scripts']
const TESTS = ['**/*.test.ts', '**/src/testing/**']

const KAFKA_LIBRARIES = ['kafkajs', 'avsc', '@kafkajs/confluent-schema-registry']
const kafkaOnlyInMessaging = KAFKA_LIBRARIES.map((name) => ({
  regex: `^${name.replace('/', '\\/')}(\\/.*)?$`,
  message: `${name} is imported only inside packages/messaging: use what @choreo/messaging offers.`,
}))

/** A restriction on importing the workspace package `@choreo/<name>` (and its subpaths), with why. */
const notPackage = (name, why) => ({ regex: `^@choreo\\/${name}(\\/.*)?$`, message: `@choreo/${name}: ${why}` })
/** A restriction on one subpath export only. */
const notSubpath = (name, why) => ({ regex: `^@choreo\\/${name}$`, message: `@choreo/${name}: ${why}` })

// A relative path that climbs out of its package into another folder of the workspace: use the package's name instead.
const outOfPackage = {
  regex: `^(\\.\\./)+(packages/)?(${[...PACKAGES, ...SERVICES, ...TOP].join('|')})/`,
  message: 'a relative import into another package or folder of the workspace: import it by its package name.',
}

// A relative path into another top-level folder (tools, bench, e2e, scripts, explorer): its files are its own.
const intoPeerFolder = {
  regex: '^(\\.\\./)+(tools|bench|e2e|scripts|explorer)/',
  message: 'the files of another top-level folder: import its package entry (@choreo/bench, @choreo/e2e) or move what is shared into a package.',
}

/** The no-restricted-imports rule refusing these patterns (a later block for the same file replaces it whole). */
function restrict(patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] }
}

/** Which @choreo packages a layer may not import (what is above it; testkit outside tests), saying why. */
function above(self, below, why, { tests }) {
  const mayUse = new Set([self, ...below, ...(tests ? ['testkit'] : [])])
  return [...PACKAGES, ...SERVICES]
    .filter((name) => !mayUse.has(name))
    .map((name) => notPackage(name, name === 'testkit' ? 'test infrastructure, for tests only.' : why))
}

const TESTING_ONLY = notSubpath('messaging/testing', 'Kafka clients for tests: testkit and tests only.')
const NO_OPERATIONS = notSubpath('messaging/operations', 'operations tooling, for tools and scripts: the runtime never needs it.')

/** Two config blocks for a layer: its code, and its tests (which may also use testkit and messaging's test clients). */
function layer(dirs, rules) {
  return [
    { files: dirs.map((dir) => `${dir}/**`), rules: restrict(rules({ tests: false })) },
    { files: dirs.flatMap((dir) => TESTS.map((glob) => `${dir}/${glob}`)), rules: restrict(rules({ tests: true })) },
  ]
}

/** A package below the services: no Kafka library (but messaging), no relative path out of it, nothing above it. */
const lowerPackage = (name, below, extra = () => []) => layer([`packages/${name}`], ({ tests }) => [
  ...(name === 'messaging' ? [] : kafkaOnlyInMessaging), outOfPackage,
  ...above(name, below, `${name} is below it.`, { tests }), ...(tests ? [] : extra()),
])

/** tools, bench, e2e, scripts: any package, but a service only through its public entry and platform only through its core. */
const topLevel = ({ tests, http = false }) => [
  ...kafkaOnlyInMessaging, intoPeerFolder,
  {
    regex: `(^|/)(${SERVICES.join('|')})/(?!src/public\\.ts$)`,
    message: "a service's internals: import its public entry, @choreo/<service> (src/public.ts).",
  },
  { regex: '(^|/)packages/', message: "a package's files: import the package by its name (@choreo/<package>)." },
  ...(http ? [] : [notSubpath('platform/http', "Fastify and the service skeleton: outside the services, use platform's light core (@choreo/platform).")]),
  ...(tests ? [] : [TESTING_ONLY]),
]

const boundaries = [
  // Everything outside messaging: no Kafka or Avro library (the blocks below repeat it, as each replaces the rule's options).
  { files: ['**/*.ts', '**/*.js'], ignores: ['packages/messaging/**'], rules: restrict(kafkaOnlyInMessaging) },
  ...lowerPackage('contracts', []),
  ...lowerPackage('messaging', ['contracts']),
  ...lowerPackage('platform', ['contracts', 'messaging'], () => [TESTING_ONLY, NO_OPERATIONS]),
  ...lowerPackage('testkit', ['contracts', 'messaging', 'platform']),
  ...lowerPackage('launcher', ['contracts', 'messaging', 'platform'], () => [TESTING_ONLY]),
  ...SERVICES.flatMap((service) => layer([service], ({ tests }) => [
    ...kafkaOnlyInMessaging, outOfPackage,
    ...above(service, ['contracts', 'messaging', 'platform'], 'a service imports no other service, nor what is above it.', { tests }),
    ...(tests ? [] : [TESTING_ONLY, NO_OPERATIONS]),
  ])),
  ...layer(['tools', 'bench', 'scripts'], topLevel),
  // e2e is tests throughout: its fixtures and the system it starts too.
  { files: ['e2e/**'], rules: restrict(topLevel({ tests: true })) },
  // explorer: a web app over the tools' saga library, above everything else; it serves HTTP with platform's /http part.
  ...layer(['explorer'], ({ tests }) => topLevel({ tests, http: true })),
]

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tools/**', '.cache/**', '.run/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...boundaries,
)
