// The confirmation a command asks for at the terminal before it changes what the system will do; --yes answers for a script.
import { createInterface } from 'node:readline/promises'
import { UsageError } from './command.ts'

/**
 * Asks on the terminal before a command changes what the system will do; `--yes` answers for a
 * script. Without a terminal and without --yes it refuses: a piped "y" is too easy to send by mistake.
 */
export async function confirmed(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY) throw new UsageError('this asks for a confirmation: run it at a terminal, or pass --yes')
  const prompt = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim())
  } finally {
    prompt.close()
  }
}
