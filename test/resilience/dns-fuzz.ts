/**
 * Fuzzing material for the DNS transport: valid responses to a received query (the shapes a
 * headless Service's DNS serves), a fast-check arbitrary of mutation plans that break them in
 * every way a hostile or broken server could, and independent oracles ("did the message contain
 * this name / address?", "does this message echo the question?") that use no code of the library.
 */
import fc from 'fast-check';
import { pointerChain } from '../helpers/crafted';
import { response, type ReceivedQuery, type RecordSpec } from '../helpers/raw-dns-server';

export const ZONE = 'cluster.local';
export const SERVICE_DOMAIN = `mysql.default.svc.${ZONE}`;
export const SRV_NAME = `_mysql._tcp.${SERVICE_DOMAIN}`;

/** Which valid response a query gets before it is mutated. */
export type Shape = 'srv-glue' | 'srv-no-glue' | 'srv-half-glue' | 'nxdomain' | 'nodata' | 'servfail';

/** One mutation; positions are fractions of the message length, so a plan fits any message. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly xor: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'extend'; readonly bytes: readonly number[] }
  | { readonly kind: 'count'; readonly section: 0 | 1 | 2 | 3; readonly value: number }
  | { readonly kind: 'pointer'; readonly at: number; readonly target: number }
  | { readonly kind: 'self-pointer'; readonly at: number }
  | { readonly kind: 'pointer-loop' }
  | { readonly kind: 'bomb' }
  | { readonly kind: 'garbage'; readonly bytes: readonly number[]; readonly keepHeader: boolean }
  | { readonly kind: 'id'; readonly xor: number }
  | { readonly kind: 'question-name' }
  | { readonly kind: 'question-type'; readonly value: number }
  | { readonly kind: 'question-class'; readonly value: number }
  | { readonly kind: 'not-response' }
  | { readonly kind: 'truncated-flag' }
  | { readonly kind: 'rcode'; readonly value: number }
  | { readonly kind: 'label-length'; readonly at: number; readonly value: number };

/** What a query gets: a shape, the pods in it, and the mutations applied (empty = valid). */
export interface Plan {
  readonly shape: Shape;
  readonly pods: number;
  readonly mutations: readonly Mutation[];
}

/** A plan per query: query k of a run gets `plans[k % plans.length]`. */
export type RunPlan = readonly Plan[];

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const byte = fc.integer({ min: 0, max: 255 });

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fraction, xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fraction, value: byte }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fraction }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extend' as const), bytes: fc.array(byte, { minLength: 1, maxLength: 300 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('count' as const),
      section: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
      value: fc.oneof(fc.constant(0xffff), fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pointer' as const), at: fraction, target: fc.integer({ min: 0, max: 0x3fff }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('self-pointer' as const), at: fraction }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pointer-loop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bomb' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('garbage' as const), bytes: fc.array(byte, { minLength: 0, maxLength: 600 }), keepHeader: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('id' as const), xor: fc.integer({ min: 1, max: 0xffff }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'question-name' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('question-type' as const), value: fc.integer({ min: 0, max: 0xffff }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('question-class' as const), value: fc.integer({ min: 0, max: 0xffff }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'not-response' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'truncated-flag' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rcode' as const), value: fc.integer({ min: 0, max: 15 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('label-length' as const), at: fraction, value: byte }) },
);

export const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  shape: fc.constantFrom<Shape>('srv-glue', 'srv-glue', 'srv-no-glue', 'srv-half-glue', 'nxdomain', 'nodata', 'servfail'),
  pods: fc.integer({ min: 1, max: 6 }),
  // A valid reply now and then, so that what follows it (follow-up lookups, fallbacks) is fuzzed too.
  mutations: fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 5, arbitrary: fc.array(mutationArbitrary, { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.array(mutationArbitrary, { minLength: 3, maxLength: 6 }) },
  ),
});

export const runPlanArbitrary: fc.Arbitrary<RunPlan> = fc.array(planArbitrary, { minLength: 1, maxLength: 4 });

const podHost = (ordinal: number): string => `mysql-${ordinal}.${SERVICE_DOMAIN}`;
const podAddress = (ordinal: number): string => `10.244.0.${ordinal + 1}`;
const podAddress6 = (ordinal: number): string => `fd00:10:244::${(ordinal + 1).toString(16)}`;
const soa = (name: string): RecordSpec => ({ type: 'SOA', name, minimum: 5 });

/** The valid response of `shape` to `query`, whatever it asks (SRV, A, AAAA or PTR). */
export function validResponse(query: ReceivedQuery, shape: Shape, pods: number): Buffer {
  const name = query.name.replace(/\.$/, '').toLowerCase();
  if (shape === 'servfail') return response(query, { rcode: 2 });
  if (shape === 'nxdomain') return response(query, { rcode: 3, authorities: [soa(ZONE)] });
  if (shape === 'nodata') return response(query, { authorities: [soa(ZONE)] });
  const ordinals = Array.from({ length: pods }, (_, index) => index);
  switch (query.type) {
    case 33: {
      const answers: RecordSpec[] = ordinals.map((ordinal) => ({ type: 'SRV', name, target: podHost(ordinal), port: 3306, weight: 10 }));
      const glued = shape === 'srv-glue' ? ordinals : shape === 'srv-half-glue' ? ordinals.filter((ordinal) => ordinal % 2 === 0) : [];
      const additionals: RecordSpec[] = glued.map((ordinal) => ({ type: 'A', name: podHost(ordinal), address: podAddress(ordinal) }));
      return response(query, { answers, additionals });
    }
    case 1: {
      const match = /^mysql-(\d+)\./.exec(name);
      const addresses = match ? [podAddress(Number(match[1]))] : ordinals.map(podAddress);
      return response(query, { answers: addresses.map((address) => ({ type: 'A', name, address })) });
    }
    case 28: {
      const match = /^mysql-(\d+)\./.exec(name);
      const addresses = match ? [podAddress6(Number(match[1]))] : ordinals.map(podAddress6);
      return response(query, { answers: addresses.map((address) => ({ type: 'AAAA', name, address })) });
    }
    case 12: {
      // 1.0.244.10.in-addr.arpa → mysql-0
      const last = Number(name.split('.')[0]);
      const ordinal = Number.isInteger(last) && last >= 1 ? last - 1 : 0;
      return response(query, { answers: [{ type: 'PTR', name, domain: podHost(ordinal) }] });
    }
    default:
      return response(query, { rcode: 3, authorities: [soa(ZONE)] });
  }
}

/** Offsets where a label starts (question and owner names, walked without following pointers). */
function labelStarts(message: Buffer): number[] {
  const starts: number[] = [];
  let offset = 12;
  while (offset < message.length && starts.length < 64) {
    const length = message[offset] as number;
    if (length === 0 || (length & 0xc0) !== 0) break;
    starts.push(offset);
    offset += 1 + length;
  }
  return starts;
}

const at = (message: Buffer, position: number): number => Math.min(message.length - 1, Math.floor(position * message.length));

/** Apply `mutation` to `message` (a copy is returned). */
export function mutate(message: Buffer, mutation: Mutation, query: ReceivedQuery): Buffer {
  const out = Buffer.from(message);
  if (out.length === 0 && mutation.kind !== 'extend' && mutation.kind !== 'garbage' && mutation.kind !== 'bomb') return out;
  switch (mutation.kind) {
    case 'flip':
      out[at(out, mutation.at)] = (out[at(out, mutation.at)] as number) ^ mutation.xor;
      return out;
    case 'set':
      out[at(out, mutation.at)] = mutation.value;
      return out;
    case 'truncate':
      return out.subarray(0, Math.floor(mutation.at * out.length));
    case 'extend':
      return Buffer.concat([out, Buffer.from(mutation.bytes)]);
    case 'count':
      if (out.length >= 12) out.writeUInt16BE(mutation.value, 4 + 2 * mutation.section);
      return out;
    case 'pointer': {
      const position = at(out, mutation.at);
      if (position + 1 < out.length) {
        out[position] = 0xc0 | (mutation.target >> 8);
        out[position + 1] = mutation.target & 0xff;
      }
      return out;
    }
    case 'self-pointer': {
      const position = at(out, mutation.at);
      if (position + 1 < out.length) {
        out[position] = 0xc0 | (position >> 8);
        out[position + 1] = position & 0xff;
      }
      return out;
    }
    case 'pointer-loop': {
      // The question name becomes a pointer to the first answer's owner, which points back.
      const end = 12 + (query.name.replace(/\.$/, '').length + 2);
      if (end + 6 < out.length) {
        out[12] = 0xc0 | (end + 4 >> 8);
        out[13] = (end + 4) & 0xff;
        out[end + 4] = 0xc0;
        out[end + 5] = 12;
      }
      return out;
    }
    case 'bomb':
      return pointerChain(query);
    case 'garbage': {
      const garbage = Buffer.from(mutation.bytes);
      if (!mutation.keepHeader || out.length < 12) return garbage;
      return Buffer.concat([out.subarray(0, 12), garbage]);
    }
    case 'id':
      if (out.length >= 2) out.writeUInt16BE(out.readUInt16BE(0) ^ mutation.xor, 0);
      return out;
    case 'question-name': {
      const first = labelStarts(out)[0];
      if (first !== undefined && (out[first] as number) > 0) {
        // Another name of the same length: "mysql" → "mysqm", "_mysql" → "_mysqm".
        const last = first + (out[first] as number);
        out[last] = (out[last] as number) === 0x7a ? 0x61 : (out[last] as number) + 1;
      }
      return out;
    }
    case 'question-type':
    case 'question-class': {
      const starts = labelStarts(out);
      const lastLabel = starts[starts.length - 1];
      if (lastLabel === undefined) return out;
      const afterName = lastLabel + 1 + (out[lastLabel] as number) + 1;
      const field = afterName + (mutation.kind === 'question-type' ? 0 : 2);
      if (field + 2 <= out.length) out.writeUInt16BE(mutation.value, field);
      return out;
    }
    case 'not-response':
      if (out.length >= 3) out[2] = (out[2] as number) & 0x7f;
      return out;
    case 'truncated-flag':
      if (out.length >= 3) out[2] = (out[2] as number) | 0x02;
      return out;
    case 'rcode':
      if (out.length >= 4) out[3] = ((out[3] as number) & 0xf0) | mutation.value;
      return out;
    case 'label-length': {
      const starts = labelStarts(out);
      const start = starts[Math.floor(mutation.at * starts.length)];
      if (start !== undefined) out[start] = mutation.value;
      return out;
    }
  }
}

/** The (mutated) reply to `query` under `plan`. */
export function fuzzedReply(query: ReceivedQuery, plan: Plan): Buffer {
  let message = validResponse(query, plan.shape, plan.pods);
  for (const mutation of plan.mutations) message = mutate(message, mutation, query);
  return message;
}

// ---------------------------------------------------------------------------------------------
// Oracles: independent of the library's decoder.

/** True when some message contains the name's labels, each as a length-prefixed run of octets (case-insensitively). */
export function containsName(messages: readonly Buffer[], name: string): boolean {
  const labels = name.replace(/\.$/, '').split('.');
  return labels.every((label) => {
    const needle = Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]);
    return messages.some((message) => includesIgnoringCase(message, needle));
  });
}

function includesIgnoringCase(haystack: Buffer, needle: Buffer): boolean {
  const lower = (value: number): number => (value >= 0x41 && value <= 0x5a ? value + 0x20 : value);
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (lower(haystack[i + j] as number) !== lower(needle[j] as number)) continue outer;
    }
    return true;
  }
  return false;
}

/** True when some message contains the address's octets (4 for IPv4, 16 for IPv6). */
export function containsAddress(messages: readonly Buffer[], address: string): boolean {
  const octets = address.includes(':') ? ipv6Octets(address) : Buffer.from(address.split('.').map(Number));
  return messages.some((message) => message.includes(octets));
}

function ipv6Octets(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = address.includes('::') ? groups(tail) : [];
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  all.forEach((group, index) => out.writeUInt16BE(parseInt(group, 16), index * 2));
  return out;
}

/**
 * True when `message` is, by its first octets, the response to `query`: same ID, QR set, one
 * question that spells the queried name (no compression: a pointer in the first name can only
 * point at the header or forward), of the queried type, class IN.
 */
export function echoesQuestion(message: Buffer, query: ReceivedQuery): boolean {
  if (message.length < 12 || message.readUInt16BE(0) !== query.id || ((message[2] as number) & 0x80) === 0) return false;
  if (message.readUInt16BE(4) !== 1) return false;
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    if (offset >= message.length) return false;
    const length = message[offset] as number;
    if (length === 0) break;
    if ((length & 0xc0) !== 0 || offset + 1 + length > message.length) return false;
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString('latin1').toLowerCase());
    offset += 1 + length;
  }
  offset += 1;
  if (offset + 4 > message.length) return false;
  return (
    labels.join('.') === query.name.replace(/\.$/, '').toLowerCase() &&
    message.readUInt16BE(offset) === query.type &&
    message.readUInt16BE(offset + 2) === 1
  );
}
