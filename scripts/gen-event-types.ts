// Generates packages/contracts/src/events.generated.ts from the Avro schemas in schemas/.
// Usage: node scripts/gen-event-types.ts [--check]
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const outFile = 'packages/contracts/src/events.generated.ts';

// Only the subset of Avro the schemas use; anything else fails loudly in tsType().
type AvroType = string | AvroType[] | AvroRecord | AvroArray | AvroEnum | AvroAnnotated;
interface AvroField { name: string; type: AvroType; doc?: string }
interface AvroRecord { type: 'record'; name: string; namespace?: string; doc?: string; fields: AvroField[] }
interface AvroEnum { type: 'enum'; name: string; namespace?: string; doc?: string; symbols: string[] }
interface AvroArray { type: 'array'; items: AvroType }
// A primitive carrying a logicalType: the TS type follows the underlying primitive.
interface AvroAnnotated { type: string; logicalType?: string }

const primitives = new Map([
  ['null', 'null'], ['string', 'string'], ['boolean', 'boolean'],
  ['int', 'number'], ['long', 'number'], ['float', 'number'], ['double', 'number'],
]);

interface Event { name: string; service: string; file: string; fullName: string }
const events: Event[] = [];
// Keyed by full name; each schema redefines the shared types, so we keep one rendering per name.
const named = new Map<string, { code: string; file: string }>();
const shortNames = new Map<string, string>();

const comment = (doc: string | undefined, indent: string): string[] =>
  doc === undefined ? [] : [`${indent}/** ${doc.replace(/\s+/g, ' ').replace(/\*\//g, '*\\/')} */`];

function fullNameOf(name: string, namespace: string | undefined): string {
  return name.includes('.') || namespace === undefined ? name : `${namespace}.${name}`;
}
const shortOf = (full: string): string => full.slice(full.lastIndexOf('.') + 1);

// Avro names are [A-Za-z_][A-Za-z0-9_]*, so they can be embedded in TS identifiers and quotes unescaped.
function define(full: string, code: string, file: string): string {
  const short = shortOf(full);
  const clash = shortNames.get(short);
  if (clash !== undefined && clash !== full) throw new Error(`${full} and ${clash} would both become ${short}`);
  shortNames.set(short, full);
  const prior = named.get(full);
  // Silently keeping the first of two diverging copies would make the types lie about one of the schemas.
  if (prior !== undefined && prior.code !== code) throw new Error(`${full} differs between ${prior.file} and ${file}`);
  if (prior === undefined) named.set(full, { code, file });
  return short;
}

function tsType(type: AvroType, namespace: string | undefined, file: string): string {
  if (typeof type === 'string') {
    const primitive = primitives.get(type);
    if (primitive !== undefined) return primitive;
    const full = fullNameOf(type, namespace);
    if (!named.has(full)) throw new Error(`${file}: ${full} is used before it is defined`);
    return shortOf(full);
  }
  if (Array.isArray(type)) {
    // Avro puts null first when the default is null; TS reads better with it last.
    const branches = type.map((t) => tsType(t, namespace, file));
    return [...branches.filter((b) => b !== 'null'), ...branches.filter((b) => b === 'null')].join(' | ');
  }
  if (type.type === 'array' && 'items' in type) {
    const items = tsType(type.items, namespace, file);
    return `readonly ${items.includes(' ') ? `(${items})` : items}[]`;
  }
  if (type.type === 'record' && 'fields' in type) return renderRecord(type, namespace, file);
  if (type.type === 'enum' && 'symbols' in type) {
    const full = fullNameOf(type.name, type.namespace ?? namespace);
    const union = type.symbols.map((s) => `'${s}'`).join(' | ');
    return define(full, [...comment(type.doc, ''), `export type ${shortOf(full)} = ${union};`].join('\n'), file);
  }
  const primitive = primitives.get(type.type);
  if (primitive !== undefined) return primitive;
  throw new Error(`${file}: unsupported Avro type ${JSON.stringify(type)}`);
}

function renderRecord(record: AvroRecord, enclosing: string | undefined, file: string): string {
  const full = fullNameOf(record.name, record.namespace ?? enclosing);
  // Unqualified names inside a record resolve against the record's own namespace.
  const namespace = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : undefined;
  const fields = record.fields.flatMap((f) => [
    ...comment(f.doc, '  '),
    `  readonly ${f.name}: ${tsType(f.type, namespace, file)};`,
  ]);
  const code = [...comment(record.doc, ''), `export interface ${shortOf(full)} {`, ...fields, '}'].join('\n');
  return define(full, code, file);
}

const sorted = (names: string[]): string[] => [...names].sort();
const serviceDirs = readdirSync(join(root, 'schemas'), { withFileTypes: true }).filter((d) => d.isDirectory());
for (const service of sorted(serviceDirs.map((d) => d.name))) {
  const dir = join(root, 'schemas', service);
  for (const fileName of sorted(readdirSync(dir).filter((f) => f.endsWith('.avsc')))) {
    const file = `schemas/${service}/${fileName}`;
    const record = JSON.parse(readFileSync(join(dir, fileName), 'utf8')) as AvroRecord;
    const name = fileName.slice(0, -'.avsc'.length);
    const fullName = fullNameOf(record.name, record.namespace);
    // The file layout is the lookup key consumers use, so it must agree with the schema itself.
    if (fullName !== `choreo.${service}.${name}`) throw new Error(`${file} defines ${fullName}`);
    if (events.some((e) => e.name === name)) throw new Error(`${file}: event name ${name} is not unique`);
    renderRecord(record, undefined, file);
    events.push({ name, service, file, fullName });
  }
}

// Shared types first, alphabetically, then the events in service/name order.
const eventFullNames = events.map((e) => e.fullName);
const shared = sorted([...named.keys()].filter((n) => !eventFullNames.includes(n)));
const output = [
  '// Generated by scripts/gen-event-types.ts from schemas/. Do not edit.',
  '',
  ...[...shared, ...eventFullNames].flatMap((n) => [named.get(n)?.code, '']),
  'export interface Events {',
  ...events.map((e) => `  ${e.name}: ${e.name};`),
  '}',
  '',
  'export type EventType = keyof Events;',
  '',
  'export const eventSchemas = {',
  ...events.flatMap((e) => [
    `  ${e.name}: {`,
    `    service: '${e.service}',`,
    `    file: '${e.file}',`,
    `    fullName: '${e.fullName}',`,
    '  },',
  ]),
  '} as const;',
  '',
].join('\n');

const outPath = join(root, outFile);
if (process.argv.includes('--check')) {
  if (!existsSync(outPath) || readFileSync(outPath, 'utf8') !== output) {
    console.error(`${outFile} is stale; run: node scripts/gen-event-types.ts`);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, output);
}
