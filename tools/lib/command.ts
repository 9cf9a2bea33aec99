import { ConfigError } from '../../packages/platform/src/config.ts'

/** A command line the command does not understand: the usage is printed, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A refusal or a finding the command reports as a failure, with the exit code to leave with. */
export class CommandFailed extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = 1) {
    super(message)
    this.name = 'CommandFailed'
    this.exitCode = exitCode
  }
}

/**
 * Runs a command's main: its result is the exit code (0 when it returns nothing). Errors end
 * the process with a one-line message on stderr, never a stack trace a user must read.
 */
export async function runCommand(usage: string, main: () => Promise<number | void>): Promise<void> {
  // kafkajs arms timers with negative delays, which Node 24 reports on every run: noise to a user.
  process.removeAllListeners('warning')
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning') process.stderr.write(`${warning.name}: ${warning.message}\n`)
  })
  // `./choreo events tail all | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${usage.trim()}\n`)
    return
  }
  try {
    process.exitCode = (await main()) ?? 0
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      process.stderr.write(`${(err as Error).message}\n\n${usage.trim()}\n`)
      process.exitCode = 2
    } else if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = 2
    } else if (err instanceof CommandFailed) {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = err.exitCode
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`)
      if (process.env.CHOREO_DEBUG) console.error(err)
      process.exitCode = 1
    }
  }
}

/** node:util parseArgs' complaints (an unknown option, a missing value) are usage errors too. */
function isParseArgsError(err: unknown): boolean {
  return typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS_')
}
