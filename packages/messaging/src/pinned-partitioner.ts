// kafkajs's default partitioner, except that a message keeps its first partition across retries, so the partitions sent to are known.
import { Partitioners, type ICustomPartitioner, type Message } from 'kafkajs'

const pinned = new WeakMap<Message, number>()

/**
 * kafkajs's DefaultPartitioner (murmur2 of the key over the partitions kafkajs's metadata knows),
 * except that a message keeps the partition it was first given. kafkajs partitions a batch again
 * on every retry; pinned, a retry after a metadata refresh cannot move a message, so when the
 * send resolves the partitions it went to are known (partitionOf) and can be checked against
 * the broker's answer.
 */
export const pinnedPartitioner: ICustomPartitioner = () => {
  const choose = Partitioners.DefaultPartitioner()
  return (args) => {
    let partition = pinned.get(args.message)
    if (partition === undefined) {
      partition = choose(args)
      pinned.set(args.message, partition)
    }
    return partition
  }
}

/** The partition a message was given, or undefined if it carries none and no pinned partitioner has seen it. */
export function partitionOf(message: Message): number | undefined {
  return message.partition ?? pinned.get(message)
}
