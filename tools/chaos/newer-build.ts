// The rolling upgrade's newer build: this checkout copied to a temporary folder with fixtures/newer-build.patch applied, and what that patch changes.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** The "newer build" of a rolling upgrade: a change to the product kept as a test fixture, never in schemas/. */
const NEWER_BUILD_PATCH = 'tools/chaos/fixtures/newer-build.patch'

/** What the fixture's newer build changes, as the run's verdict checks it (upgrade-verdict.ts). */
export const NEWER_BUILD = {
  /**
   * The event that gains an optional field, and the field. Named as a fixture's, because the
   * newer build registers its schemas on the stack's registry like any build (subjects are not
   * per run): no real change to the product will collide with them.
   */
  evolved: { type: 'StockReserved', field: 'chaosWarehouse' },
  /** The new event type on the same topic, emitted beside it. */
  added: 'ChaosWarehouseAssigned',
  /** Its producer and the consumer that logs what it saw of both. */
  producer: 'stock-service',
  consumer: 'order-service',
} as const

export interface NewerBuild {
  /** The checkout the supervisor starts the newer instances from. */
  root: string
  /** Its schemas/ folder: the newer reader schemas. */
  schemasDir: string
  remove(): void
}

/**
 * Builds the newer build beside the checkout: its files as they are now (tracked and new, not
 * ignored), the fixture patch applied, the event types generated again from its schemas, and its
 * dependencies installed from pnpm's store (offline: the checkout installed them already). Fails
 * with the reason when the patch no longer applies to the checkout.
 */
export function prepareNewerBuild(root: string, runId: string, log: (message: string) => void): NewerBuild {
  const dir = join(tmpdir(), `choreo-newer-build-${runId}`)
  rmSync(dir, { recursive: true, force: true })
  const started = Date.now()
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0').filter((file) => file !== '' && existsSync(join(root, file)))
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    cpSync(join(root, file), join(dir, file))
  }
  try {
    execFileSync('patch', ['-p1', '--batch', '--forward', '--quiet', '-d', dir, '-i', join(root, NEWER_BUILD_PATCH)], { stdio: 'pipe' })
  } catch (err) {
    const output = (err as { stdout?: Buffer }).stdout?.toString() ?? String(err)
    throw new Error(`${NEWER_BUILD_PATCH} no longer applies to this checkout; make the same change to the files as they are now and write the patch again:\n${output}`, { cause: err })
  }
  execFileSync(process.execPath, ['scripts/gen-event-types.ts'], { cwd: dir, stdio: 'pipe' })
  execFileSync('pnpm', ['install', '--offline', '--frozen-lockfile', '--reporter=silent'], { cwd: dir, stdio: 'pipe', env: { ...process.env, CI: 'true' } })
  log(`newer build ready in ${dir} (${files.length} files, ${NEWER_BUILD_PATCH} applied) in ${((Date.now() - started) / 1000).toFixed(1)}s`)
  return { root: dir, schemasDir: join(dir, 'schemas'), remove: () => rmSync(dir, { recursive: true, force: true }) }
}
