import DNS from 'dns2';
import { describe, expect, it } from 'vitest';
import { encodeResponse, type ResponseMessage } from '../../src/testing/wire';
import { answerQuestion, type ZoneService } from '../../src/testing/zone';

const { Packet } = DNS;
const QNAME = '_peer._tcp.web.default.svc.cluster.local.';

function message(pods: number, ednsUdpSize: number | undefined): ResponseMessage {
  const service: ZoneService = {
    name: 'web',
    namespace: 'default',
    ports: [{ name: 'peer', port: 7000 }],
    publishNotReadyAddresses: false,
    hostnames: true,
    pods: Array.from({ length: pods }, (_, i) => ({ name: `web-${i}`, ordinal: i, addresses: [`10.244.0.${i + 1}`], ready: true })),
  };
  return {
    ...answerQuestion({ clusterDomain: 'cluster.local', ttl: 30, serial: 1, services: [service] }, QNAME, 'SRV'),
    id: 0xbeef,
    recursionDesired: true,
    question: { name: QNAME, type: 33, class: 1 },
    ednsUdpSize,
  };
}

describe('encodeResponse', () => {
  it('writes the 2-target SRV answer byte for byte as CoreDNS does (uncompressed, flags qr,aa,rd)', () => {
    // The 350-byte CoreDNS response of the project's Kubernetes DNS notes (§1.6), ID 0xbeef.
    const coredns = [
      'beef85000001000200000002055f70656572045f7463700377656207646566',
      '61756c74037376630763 6c7573746572056c6f63616c0000210001055f7065',
      '6572045f74637003776562 0764656661756c740373766307636c7573746572',
      '056c6f63616c00002100010000001e002b00000032 1b58057765622d300377',
      '65620764656661756c740373766307636c7573746572056c6f63616c00055f',
      '70656572045f7463700377656207 64656661756c740373766307636c757374',
      '6572056c6f63616c00002100010000001e002b000000321b58057765622d31',
      '0377656207 64656661756c740373766307636c7573746572056c6f63616c00',
      '057765622d300377656207 64656661756c740373766307636c757374657205',
      '6c6f63616c000001000100 00001e00040af40105057765622d310377656207',
      '64656661756c740373766307636c7573746572056c6f63616c00000100010000',
      '001e00040af40206',
    ]
      .join('')
      .replaceAll(' ', '');
    const service: ZoneService = {
      name: 'web',
      namespace: 'default',
      ports: [{ name: 'peer', port: 7000 }],
      publishNotReadyAddresses: false,
      hostnames: true,
      pods: [
        { name: 'web-0', ordinal: 0, addresses: ['10.244.1.5'], ready: true },
        { name: 'web-1', ordinal: 1, addresses: ['10.244.2.6'], ready: true },
      ],
    };
    const { buffer, truncated } = encodeResponse(
      {
        ...answerQuestion({ clusterDomain: 'cluster.local', ttl: 30, serial: 1, services: [service] }, QNAME, 'SRV'),
        id: 0xbeef,
        recursionDesired: true,
        question: { name: QNAME, type: 33, class: 1 },
        ednsUdpSize: undefined,
      },
      512,
    );
    expect(truncated).toBe(false);
    expect(buffer.toString('hex')).toBe(coredns);
  });

  it('sets TC over UDP without EDNS when the answer does not fit 512 bytes, keeping what fits', () => {
    const { buffer, truncated } = encodeResponse(message(12, undefined), 512);
    expect(truncated).toBe(true);
    expect(buffer.length).toBeLessThanOrEqual(512);
    const parsed = Packet.parse(buffer);
    expect(parsed.header.tc).toBe(1);
    expect(parsed.answers.length).toBeGreaterThan(0);
    expect(parsed.answers.length + parsed.additionals.length).toBeLessThan(24);
  });

  it('fits the same answer with EDNS 1232 and echoes the OPT with the client size', () => {
    const { buffer, truncated } = encodeResponse(message(12, 1232), 1232);
    expect(truncated).toBe(false);
    const parsed = Packet.parse(buffer);
    expect(parsed.header.tc).toBe(0);
    expect(parsed.answers).toHaveLength(12);
    const opt = parsed.additionals.find((record) => record.type === 41);
    expect(opt?.class).toBe(1232);
  });

  it('compresses owner names (never SRV targets): 1000 SRV fit a TCP message, part of the glue does not', () => {
    const { buffer, truncated } = encodeResponse(message(1000, undefined), 65_535);
    // As with CoreDNS: 1000 uncompressed targets take ~57 KB, so glue is dropped and TC is set.
    expect(truncated).toBe(true);
    expect(buffer.length).toBeLessThanOrEqual(65_535);
    const parsed = Packet.parse(buffer);
    expect(parsed.answers).toHaveLength(1000);
    expect(parsed.additionals.length).toBeGreaterThan(0);
    expect(parsed.additionals.length).toBeLessThan(1000);
    expect(parsed.answers[999]).toMatchObject({ target: 'web-999.web.default.svc.cluster.local', port: 7000 });
  });
});
