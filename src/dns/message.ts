/**
 * Encoding queries and decoding responses, over dns2's `Packet` codec. Decoding runs the
 * {@link scanMessage} guard first, checks that the response answers our query, and converts
 * dns2's records into this library's types.
 *
 * @module
 */
import Packet from 'dns2/packet';
import { scanMessage } from './guard';
import { absoluteName } from './name';
import { ResponseReuse } from './response-reuse';
import type { DnsRecord, QueryType } from './types';

/** The UDP payload size advertised with EDNS0 (RFC 6891): the DNS Flag Day 2020 value, which avoids IP fragmentation. */
export const EDNS_UDP_PAYLOAD_SIZE = 1232;

const TYPE_CODES: Readonly<Record<QueryType, number>> = { A: 1, AAAA: 28, SRV: 33, PTR: 12 };
const CLASS_IN = 1;
const TYPE_SOA = 6;
const TYPE_OPT = 41;

/** The question a query asks, as the response must echo it. */
export interface Question {
  readonly id: number;
  /** Absolute, lower-cased. */
  readonly name: string;
  readonly type: QueryType;
}

/** Encoded queries by question, ID left 0: a poll asks the same few questions every time. */
const templates = new Map<string, Buffer>();
const MAX_TEMPLATES = 4096;

/** A DNS query message: RD=1, one question of class IN, and an EDNS0 OPT record. */
export function encodeQuery(question: Question): Buffer {
  const key = `${question.type} ${question.name}`;
  let template = templates.get(key);
  if (!template) {
    const packet = new Packet();
    packet.header.id = 0;
    packet.header.rd = 1;
    packet.questions.push(new Packet.Question(question.name, TYPE_CODES[question.type], CLASS_IN));
    packet.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: EDNS_UDP_PAYLOAD_SIZE }));
    template = packet.toBuffer();
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(key, template);
  }
  const query = Buffer.from(template);
  query.writeUInt16BE(question.id, 0);
  return query;
}

/** A response that answers our query. */
export interface Response {
  readonly rcode: number;
  readonly truncated: boolean;
  /** The message's size in bytes: whether it would have fit in a UDP answer. */
  readonly size: number;
  /** Answer-section records of the queried type and name. */
  readonly answers: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
  /** RFC 2308 §5 negative-cache time: min(SOA TTL, SOA MINIMUM), when the authority section has an SOA. */
  readonly negativeTtl: number | undefined;
}

/** Why a received message was not accepted as the response. */
export type Rejected = { readonly rejected: string };

/**
 * Decode `message` as the response to `question`. A message that is not one (not a response,
 * another ID, another question, undecodable, or over the decoding-cost bound) is rejected, and
 * the caller keeps waiting for the real one.
 */
export function decodeResponse(message: Buffer, question: Question): Response | Rejected {
  if (message.length < 12) return { rejected: 'shorter than a DNS header' };
  if (message.readUInt16BE(0) !== question.id) return { rejected: 'another query ID' };
  if (((message[2] ?? 0) & 0x80) === 0) return { rejected: 'not a response' };
  const key = `${question.type} ${question.name}`;
  const reused = lastResponses.find(key, message);
  if (reused) return reused;
  const decoded = decodeAnew(message, question);
  if (!('rejected' in decoded)) lastResponses.remember(key, message, decoded);
  return decoded;
}

/** The last response to each question: see `response-reuse.ts`. */
const lastResponses = new ResponseReuse<Response>();

function decodeAnew(message: Buffer, question: Question): Response | Rejected {
  const verdict = scanMessage(message);
  if (!verdict.ok) return { rejected: verdict.reason };

  let packet: ReturnType<typeof Packet.parse>;
  try {
    packet = Packet.parse(message);
  } catch (error) {
    return { rejected: `undecodable: ${String(error)}` };
  }
  // A record we could not decode may be one of ours: a partial answer is not an answer.
  if (packet.errors.length > 0) return { rejected: `undecodable: ${String(packet.errors[0]?.message)}` };

  // RFC 5452 §9.1: the question must be echoed (names compared case-insensitively).
  const echoed = packet.questions[0];
  if (
    packet.questions.length !== 1 ||
    !echoed ||
    absoluteName(String(echoed.name)) !== question.name ||
    echoed.type !== TYPE_CODES[question.type] ||
    echoed.class !== CLASS_IN
  ) {
    return { rejected: 'another question' };
  }

  const typeCode = TYPE_CODES[question.type];
  const answers = packet.answers
    .filter((record) => record.type === typeCode && absoluteName(String(record.name)) === question.name)
    .map(toRecord)
    .filter((record): record is DnsRecord => record !== undefined);
  const additionals = packet.additionals
    .filter((record) => record.type !== TYPE_OPT)
    .map(toRecord)
    .filter((record): record is DnsRecord => record !== undefined);
  const soa = packet.authorities.find((record) => record.type === TYPE_SOA);
  const negativeTtl =
    soa && typeof soa.minimum === 'number' ? Math.min(soa.ttl ?? 0, soa.minimum) : undefined;

  return Object.freeze({
    rcode: packet.header.rcode ?? 0,
    truncated: packet.header.tc === 1,
    size: message.length,
    answers: Object.freeze(answers),
    additionals: Object.freeze(additionals),
    negativeTtl,
  });
}

/** Our view of a dns2 record, or `undefined` for types the discovery does not use. */
function toRecord(record: DnsResource): DnsRecord | undefined {
  const name = absoluteName(String(record.name));
  const ttl = record.ttl ?? 0;
  switch (record.type) {
    case 1:
      return typeof record.address === 'string' ? { type: 'A', name, ttl, address: record.address } : undefined;
    case 28:
      return typeof record.address === 'string' ? { type: 'AAAA', name, ttl, address: record.address } : undefined;
    case 33:
      return typeof record.target === 'string'
        ? {
            type: 'SRV',
            name,
            ttl,
            priority: record.priority ?? 0,
            weight: record.weight ?? 0,
            port: record.port ?? 0,
            target: absoluteName(record.target),
          }
        : undefined;
    case 12:
      return typeof record.domain === 'string' ? { type: 'PTR', name, ttl, target: absoluteName(record.domain) } : undefined;
    default:
      return undefined;
  }
}

type DnsResource = ReturnType<typeof Packet.parse>['answers'][number];
