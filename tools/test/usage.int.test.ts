import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runTool, type ToolRun } from './tool-process.ts'

// Every ./choreo command answers --help with its usage, and a command line it cannot take with
// one line naming what is wrong, then its usage, exit code 2: never a stack trace. Each mistake
// is caught before the command talks to anything, so these need no stack of their own.

const root = join(import.meta.dirname, '..', '..')

interface Row {
  /** A string option given without its value; null for a command that has none. */
  missingValue: string[] | null
  /** A value the command refuses, and what its message names. */
  badValue: [string[], RegExp]
  /** A subcommand it does not have, for the commands that have subcommands. */
  unknownVerb?: string[]
}

const commands: Record<string, Row> = {
  bench: { missingValue: ['relay', '--events'], badValue: [['relay', '--events', 'many'], /--events: 'many'/], unknownVerb: ['sprint'] },
  chaos: { missingValue: ['--minutes'], badValue: [['--minutes', 'abc'], /--minutes must be a positive number, not 'abc'/] },
  decode: { missingValue: ['--input'], badValue: [['--input', 'xml'], /--input: 'xml' is not one of json, framed/] },
  dlq: { missingValue: ['list', '--topic'], badValue: [['redrive', 'payment-service.dlt:0:1', '--all'], /ids or --all, not both/], unknownVerb: ['purge'] },
  explorer: { missingValue: ['--ttl'], badValue: [['--ttl', 'soon'], /--ttl: 'soon'/] },
  events: { missingValue: ['tail', 'all', '--key'], badValue: [['tail', 'all', '--last', '0'], /--last: '0'/], unknownVerb: ['head'] },
  replay: { missingValue: ['--group'], badValue: [['--group', 'g', '--topic', 't', '--from-offset', 'start'], /--from-offset: 'start'/] },
  saga: { missingValue: ['stuck', '--older-than'], badValue: [['stuck', '--older-than', 'soon'], /--older-than: 'soon'/], unknownVerb: ['replay'] },
  schemas: { missingValue: ['check', '--schemas-dir'], badValue: [['check', '--schemas-dir', '/nonexistent'], /--schemas-dir: '\/nonexistent' is not a directory/], unknownVerb: ['register'] },
  seed: { missingValue: null, badValue: [['--print-example=yes'], /--print-example takes no value/] },
  token: { missingValue: ['--customer'], badValue: [['--customer', 'bad id!'], /--customer: 'bad id!' is not an id the API accepts/] },
}

const STACK_FRAME = /^\s+at .+[(:]\d+/m

function expectUsageError(name: string, run: ToolRun, names: RegExp): void {
  expect(run.code, run.stderr).toBe(2)
  const [first, blank, usage] = run.stderr.split('\n')
  expect(first).toMatch(new RegExp(`^${name}: `))
  expect(first).toMatch(names)
  expect([blank, usage?.startsWith('usage: ')]).toEqual(['', true])
  expect(run.stderr).not.toMatch(STACK_FRAME)
}

// Concurrent: each case is a Node process starting, mostly waiting on the machine.
describe.concurrent('every ./choreo command line', () => {
  it('has a row here for every command in tools/commands/', () => {
    expect(readdirSync(join(root, 'tools', 'commands')).map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(Object.keys(commands).sort())
  })

  describe.each(Object.entries(commands))('%s', (name, row) => {
    it('prints its usage on --help, exit code 0', async () => {
      const run = await runTool(name, ['--help'], {})
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toMatch(/^usage: /)
      expect(run.stdout).toContain(`./choreo ${name}`)
    })

    it('names an unknown option, then the usage, exit code 2', async () => {
      expectUsageError(name, await runTool(name, ['--bogus'], {}), /unknown option --bogus/)
    })

    it.runIf(row.missingValue !== null)('names an option given without its value', async () => {
      const option = row.missingValue!.at(-1)!
      expectUsageError(name, await runTool(name, row.missingValue!, {}), new RegExp(`${option} needs a value`))
    })

    it('names a value it refuses', async () => {
      expectUsageError(name, await runTool(name, row.badValue[0], { JWT_SECRET: 'x'.repeat(32) }), row.badValue[1])
    })

    it.runIf(row.unknownVerb !== undefined)('names a subcommand it does not have', async () => {
      expectUsageError(name, await runTool(name, row.unknownVerb!, {}), new RegExp(`unknown subcommand '${row.unknownVerb![0]}'`))
    })
  })
})

describe('./choreo itself', () => {
  function choreo(args: string[]): Promise<ToolRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(join(root, 'choreo'), args, { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
      child.once('error', reject)
      child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    })
  }

  it('names an unknown command, then the usage, exit code 2', async () => {
    const run = await choreo(['nonsense'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^choreo: unknown command 'nonsense'\n\nusage: \.\/choreo <command>/)
  })

  it('answers --help on a built-in command with the usage, doing nothing else', async () => {
    const run = await choreo(['status', '--help'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^usage: \.\/choreo <command>/)
    expect(run.stdout).not.toContain('state address')
  })

  // Neither may start anything: `test` with a stray argument used to run the whole suite.
  it.each([
    [['test', 'relay'], /^choreo: test takes no argument, not 'relay'\n\nusage: \.\/choreo <command>/],
    [['up', '--brokers', '2'], /^choreo: --brokers takes 1 \(the quick default\) or 3 \(a replicated cluster\), not '2'\n\nusage: \.\/choreo <command>/],
    [['status', '--brokers=5'], /^choreo: --brokers takes 1 .* not '5'\n\nusage:/],
  ])('refuses %j with one line naming it, then the usage, exit code 2', async (args, message) => {
    const run = await choreo(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stdout).toBe('')
  })
})
