/**
 * Check 3, `srv`: with a named port, the SRV records of `_<port>._<protocol>.<service>…`. Only
 * named Service ports have SRV records, so NXDOMAIN/NODATA while the Service name has addresses
 * means the port is unnamed or named differently; a bare SRV query of the Service name (CoreDNS
 * answers it with every port, named or not) shows which port numbers exist. With a numeric
 * port or none, discovery uses A/AAAA records only: a warning, as SRV needs a named port.
 *
 * @module
 */
import type { AddressRecord, LookupResult, SrvRecord } from '../dns/types';
import { isAddressOf } from '../sources/address-lookup';
import { dig, getPortNames } from './commands';
import { serviceHost, type DiagnosisContext } from './context';
import { capped, isFailure, lookupLine } from './describe';
import { failureEvidence, failureFix } from './failure';
import { finding, skipped, skipReason } from './finding';
import type { ServiceNameResult } from './service-name';
import type { Finding } from './types';

/** The finding and the SRV answer, for the checks that follow. */
export interface SrvResult {
  readonly finding: Finding;
  /** The SRV lookup, when one was made. */
  readonly lookup: LookupResult | undefined;
  readonly records: readonly SrvRecord[];
  /** Additional-section addresses (of the families asked) that came with the SRV answer. */
  readonly glue: readonly AddressRecord[];
}

/** Run the check. */
export async function checkSrv(context: DiagnosisContext, service: ServiceNameResult): Promise<SrvResult> {
  const { config } = context;
  const port = config.port;
  if (port.kind !== 'named') {
    const why = port.kind === 'number' ? `numeric port ${port.number}` : 'no port given';
    return none(
      finding(
        'srv',
        'SRV records (named port)',
        'warn',
        [`only A records are used (${port.kind === 'number' ? 'numeric port' : 'no port'}): SRV needs a named port (${why})`],
        [
          `to discover every pod and its port with one query, name the Service port and pass the name (port: '<name>', --port <name>): ${getPortNames(config)}`,
        ],
      ),
    );
  }

  const name = `_${port.name}._${port.protocol}.${serviceHost(context)}`;
  const title = `SRV records of ${name}`;
  if (service.state !== 'addresses') return none(skipped('srv', title, skipReason(service.state)));

  const lookup = await context.dns.lookup(name, 'SRV');
  if (isFailure(lookup)) {
    return { finding: finding('srv', title, 'fail', [lookupLine(lookup), ...failureEvidence(context, lookup)], failureFix(context, lookup)), lookup, records: [], glue: [] };
  }
  if (lookup.outcome !== 'answer') {
    const bare = await context.dns.lookup(serviceHost(context), 'SRV');
    const ports = bare.outcome === 'answer' ? [...new Set(bare.answers.flatMap((record) => (record.type === 'SRV' ? [record.port] : [])))] : [];
    return {
      finding: finding(
        'srv',
        title,
        'fail',
        [
          lookupLine(lookup),
          `the Service name has ${service.addresses.length} ${service.addresses.length === 1 ? 'address' : 'addresses'}, but no SRV for port "${port.name}"/${port.protocol}`,
          `${lookupLine(bare)} (CoreDNS answers a bare SRV query with every port, named or not)${ports.length > 0 ? `: port ${ports.join(', ')}` : ''}`,
        ],
        [
          `only named ports have SRV records: the port is unnamed or named differently; list the names: ${getPortNames(config)}`,
          `pass the port's name (--port <name>), or its number to use A records only`,
          `the protocol must match too (_${port.protocol}; --protocol udp for a UDP port)`,
          dig(config, name, 'SRV', '', lookup),
        ],
      ),
      lookup,
      records: [],
      glue: [],
    };
  }

  const records = lookup.answers.filter((record): record is SrvRecord => record.type === 'SRV');
  const glue = lookup.additionals.filter((record): record is AddressRecord => isAddressOf(record, config.family));
  return {
    finding: finding('srv', title, 'pass', [
      lookupLine(lookup),
      `${records.length} ${records.length === 1 ? 'target' : 'targets'}:`,
      ...capped(records.map((record) => `${record.target} port ${record.port} (priority ${record.priority}, weight ${record.weight}, TTL ${record.ttl} s)`)),
      `${glue.length} additional ${glue.length === 1 ? 'address' : 'addresses'} (glue)`,
    ]),
    lookup,
    records,
    glue,
  };
}

function none(only: Finding): SrvResult {
  return { finding: only, lookup: undefined, records: [], glue: [] };
}
