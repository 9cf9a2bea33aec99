// The Kafka client's logger for commands: errors only, on stderr, so that stdout stays the command's own output.
import type { Logger } from '@choreo/messaging'

/**
 * What the Kafka client has to say goes to stderr, errors only, so a command's stdout stays
 * its output (JSON lines a pipe can read). kafkajs' warnings while a group forms are noise here.
 */
export const stderrLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (obj, msg) => {
    const err = (obj as { err?: Error; error?: string }).err?.message ?? (obj as { error?: string }).error
    process.stderr.write(`kafka: ${msg ?? ''}${err ? `: ${err}` : ''}\n`)
  },
  child: () => stderrLogger,
}
