// `@choreo/messaging/operations`: tooling for operating the event log from outside a service (offsets, reading topics,
// republishing, schema compatibility, parked messages, ACLs). The delivery runtime (`@choreo/messaging`) never needs it.
export { createOffsetsAdmin, missingTopics, type OffsetsAdmin } from './offsets.ts'
export { partitionOfKey, readSpans, spansOf, spansOfKeys, type RawMessage, type PartitionSpan, type ReadFrom, type ReadOptions } from './topic-reader.ts'
export { republish, type Republished } from './republish.ts'
export { checkCompatibility } from './compatibility.ts'
export { listParked, retryParked, discardParked, type ParkedRow } from './parked.ts'
export { grantAcls } from './admin.ts'
