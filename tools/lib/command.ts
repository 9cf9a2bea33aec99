// How every ./choreo command runs: --help, exit codes, and each error printed as one line a user can read (UsageError, CommandFailed), not a stack.
import { basename } from 'node:path'
import { ConfigError } from '@choreo/platform'

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
 * Runs a command's main with its arguments: its result is the exit code (0 when it returns
 * nothing). `--help` or `-h` prints the usage. A usage mistake prints one line naming it, then the
 * usage, exit code 2; any other error one line, exit code 1, and its stack only when CHOREO_DEBUG
 * is set: never a stack trace a user must read.
 */
export async function runCommand(usage: string, main: (args: string[]) => Promise<number | void>): Promise<void> {
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
  const args = process.argv.slice(2)
  const beforeTerminator = args.includes('--') ? args.slice(0, args.indexOf('--')) : args
  if (beforeTerminator.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${usage.trim()}\n`)
    return
  }
  const name = basename(process.argv[1] ?? 'choreo', '.ts')
  try {
    process.exitCode = (await main(args)) ?? 0
  } catch (err) {
    if (process.env.CHOREO_DEBUG) console.error(err)
    if (err instanceof UsageError || isParseArgsError(err)) {
      const message = err instanceof UsageError ? err.message : parseArgsMessage(err as NodeJS.ErrnoException)
      process.stderr.write(`${name}: ${message}\n\n${usage.trim()}\n`)
      process.exitCode = 2
    } else if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`)
      process.exitCode = 2
    } else if (err instanceof CommandFailed) {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = err.exitCode
    } else {
      process.stderr.write(`${name}: error: ${err instanceof Error ? err.message : String(err)}${process.env.CHOREO_DEBUG ? '' : ' (CHOREO_DEBUG=1 shows the stack)'}\n`)
      process.exitCode = 1
    }
  }
}

/**
 * node:util parseArgs' complaints are usage errors too: the one parser (command-line.ts) raises
 * its own, but the chaos runner's options (tools/chaos/options.ts) still call parseArgs directly.
 */
function isParseArgsError(err: unknown): boolean {
  return typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS_')
}

/** parseArgs' complaint in the words of the one parser's (command-line.ts): it explains at length. */
function parseArgsMessage(err: NodeJS.ErrnoException): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1]
  if (option && err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`
  if (option && /argument missing|ambiguous/.test(err.message)) return `${option} needs a value`
  if (option && /does not take an argument/.test(err.message)) return `${option} takes no value`
  return err.message.split(/\.\s|\n/)[0]!.trim()
}
