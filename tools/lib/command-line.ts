// The one parser of every ./choreo command's arguments, with its checks (subcommand, whole number, choice), each mistake a one-line UsageError.
import { parseArgs } from 'node:util'
import { UsageError } from './command.ts'

/** An option a command accepts: a flag, or one that takes a value (`--key abc` or `--key=abc`). */
export interface OptionSpec {
  type: 'boolean' | 'string'
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>

export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }

export interface CommandLine<O extends OptionSpecs> {
  values: OptionValues<O>
  positionals: string[]
}

/**
 * The one parser of every ./choreo command's arguments. node:util's parseArgs splits them; the
 * checks are ours, so each mistake is a UsageError of one line naming the option: unknown, given
 * without its value (`--key` last, or followed by another option), a value given to a flag, or
 * given twice. Everything after `--` is positional.
 */
export function parseCommandLine<const O extends OptionSpecs>(args: readonly string[], options: O): CommandLine<O> {
  const { tokens } = parseArgs({ args: [...args], options: { ...options }, strict: false, allowPositionals: true, tokens: true })
  const values: Record<string, string | boolean> = {}
  const positionals: string[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined
    if (!spec) throw new UsageError(`unknown option ${token.rawName}`)
    if (Object.hasOwn(values, token.name)) throw new UsageError(`${token.rawName} is given twice`)
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`)
      values[token.name] = true
      continue
    }
    // parseArgs hands `--key --json` the next argument as the value; an option is never one.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) throw new UsageError(`${token.rawName} needs a value`)
    values[token.name] = token.value
  }
  return { values: values as OptionValues<O>, positionals }
}

/** The subcommand (`list`, `trace`…) among `verbs`, or a UsageError naming what was given instead. */
export function verbOf<const V extends string>(positionals: readonly string[], verbs: readonly V[]): V {
  const [verb] = positionals
  if (verb === undefined) throw new UsageError(`missing subcommand: one of ${verbs.join(', ')}`)
  if (!(verbs as readonly string[]).includes(verb)) throw new UsageError(`unknown subcommand '${verb}': one of ${verbs.join(', ')}`)
  return verb as V
}

/** A whole number ≥ `min` given to `option`, or a UsageError naming both. */
export function wholeNumber(option: string, text: string, min = 1): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${option}: '${text}' is not a whole number ≥ ${min}`)
  return n
}

/** One of `choices`, or a UsageError naming the option and the choices. */
export function oneOf<const C extends string>(option: string, text: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${option}: '${text}' is not one of ${choices.join(', ')}`)
  return text as C
}
