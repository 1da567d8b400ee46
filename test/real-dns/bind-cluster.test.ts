/**
 * The BIND harness itself, over real sockets: a real BIND 9 on loopback serves the records
 * CoreDNS serves for headless Services, sync() publishes changes, and what BIND does on its own
 * (the additional section, truncation) is what this file's descriptions say. Those behaviours
 * were observed with BIND 9.18.49 (Debian 12) and are asserted as observed.
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBind, type BindCluster } from './bind-cluster.mjs';
import { rawQuery, type RawRecord, type RawResponse } from './raw-query';

const ZONE = 'cluster.local';
const lines = (records: readonly RawRecord[]): string[] => records.map((record) => `${record.name} ${record.type} ${record.data}`).sort();

/** A fresh node:dns resolver (c-ares may cache per channel) pointed at the harness. */
function resolver(bind: BindCluster): Resolver {
  const fresh = new Resolver({ timeout: 2000, tries: 1 });
  fresh.setServers([bind.nameserver]);
  return fresh;
}

let bind: BindCluster;
beforeAll(async () => {
  bind = await startBind();
});
afterAll(() => bind?.close());

describe('the records of a headless Service, as CoreDNS serves them', () => {
  it('SRV: priority 0, weight floor(100/N), the port, the pod hosts as targets, authoritative, TTL 5', async () => {
    const web = bind.defineService({ name: 'web', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    await bind.sync();

    const srv = await resolver(bind).resolveSrv(`_peer._tcp.web.default.svc.${ZONE}`);
    expect(srv.map((record) => record.name).sort()).toEqual(web.pods.map((pod) => web.podHost(pod.name)));
    expect(srv.every((record) => record.priority === 0 && record.weight === 33 && record.port === 7000)).toBe(true);

    const raw = await rawQuery(bind.nameserver, `_peer._tcp.web.default.svc.${ZONE}`, 'SRV', { edns: 1232 });
    expect(raw).toMatchObject({ rcode: 0, aa: true, tc: false });
    expect(raw.answers.every((record) => record.ttl === 5)).toBe(true);
    const a = await resolver(bind).resolve4(`web.default.svc.${ZONE}`);
    expect(a.sort()).toEqual(web.pods.map((pod) => pod.addresses[0]).sort());
    expect(await resolver(bind).resolve4(web.podHost('web-1'))).toEqual(web.pods[1]?.addresses);
  });

  it('NXDOMAIN for a Service without ready pods; NODATA with the SOA (MINIMUM = TTL) for AAAA of an IPv4-only one', async () => {
    bind.defineService({ name: 'empty', ports: [{ name: 'peer', port: 7000 }], replicas: 0 });
    bind.defineService({ name: 'v4', ports: [{ name: 'peer', port: 7000 }], replicas: 2 });
    await bind.sync();

    for (const name of [`empty.default.svc.${ZONE}`, `_peer._tcp.empty.default.svc.${ZONE}`, `empty-0.empty.default.svc.${ZONE}`]) {
      const answer = await rawQuery(bind.nameserver, name, name.startsWith('_') ? 'SRV' : 'A');
      expect(answer, name).toMatchObject({ rcode: 3, aa: true, answers: [] });
    }
    const nodata = await rawQuery(bind.nameserver, `v4.default.svc.${ZONE}`, 'AAAA');
    expect(nodata).toMatchObject({ rcode: 0, aa: true, answers: [] });
    expect(nodata.authorities).toEqual([{ name: `${ZONE}.`, type: 'SOA', ttl: 5, data: expect.stringMatching(/^ns\.dns\.cluster\.local\. \d+ 5$/) }]);
    await expect(resolver(bind).resolve6(`v4.default.svc.${ZONE}`)).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolver(bind).resolve4(`empty.default.svc.${ZONE}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('PTR for every listed address, IPv4 and IPv6; hostname-less pods by dashed address; dual-stack weight counts both', async () => {
    const dual = bind.defineService({ name: 'dual', ports: [{ name: 'peer', port: 7000 }], replicas: 3, ipFamilies: ['IPv4', 'IPv6'] });
    const anon = bind.defineService({ name: 'anon', ports: [{ name: 'peer', port: 7000 }], replicas: 2, hostnames: false });
    await bind.sync();

    const [v4, v6] = dual.pods[0]?.addresses ?? [];
    expect(await resolver(bind).reverse(v4 as string)).toEqual([dual.podHost('dual-0')]);
    expect(await resolver(bind).reverse(v6 as string)).toEqual([dual.podHost('dual-0')]);
    const srv = await resolver(bind).resolveSrv(`_peer._tcp.dual.default.svc.${ZONE}`);
    expect(srv).toHaveLength(3);
    expect(srv.every((record) => record.weight === 16)).toBe(true); // floor(100 / 6): one entry per address
    expect(await resolver(bind).resolve6(dual.podHost('dual-2'))).toEqual([dual.pods[2]?.addresses[1]]);

    const address = anon.pods[1]?.addresses[0] as string;
    const dashed = address.replaceAll('.', '-');
    expect(await resolver(bind).reverse(address)).toEqual([anon.podHost(dashed)]);
    expect(await resolver(bind).resolve4(anon.podHost(dashed))).toEqual([address]);
    expect((await resolver(bind).resolveSrv(`_peer._tcp.anon.default.svc.${ZONE}`)).map((record) => record.name).sort()).toEqual(
      anon.pods.map((pod) => anon.podHost((pod.addresses[0] as string).replaceAll('.', '-'))).sort(),
    );
  });

  it('answers as the fake cluster does for the same state (answer and authority sections, rcode, AA)', async () => {
    bind.defineService({ name: 'same', ports: [{ name: 'peer', port: 7000 }, { name: 'admin', port: 7001 }, { port: 9000 }], replicas: 3 });
    const pub = bind.defineService({ name: 'pub', ports: [{ name: 'peer', port: 7000 }], replicas: 2, publishNotReadyAddresses: true });
    pub.setReady('pub-1', false);
    await bind.sync();
    const questions: [string, 'A' | 'AAAA' | 'SRV' | 'TXT'][] = [
      [`same.default.svc.${ZONE}`, 'A'], [`same.default.svc.${ZONE}`, 'AAAA'], [`same.default.svc.${ZONE}`, 'SRV'],
      [`_peer._tcp.same.default.svc.${ZONE}`, 'SRV'], [`_admin._tcp.same.default.svc.${ZONE}`, 'SRV'],
      [`_peer._udp.same.default.svc.${ZONE}`, 'SRV'], [`_peer._tcp.same.default.svc.${ZONE}`, 'A'],
      [`same-2.same.default.svc.${ZONE}`, 'A'], [`same-3.same.default.svc.${ZONE}`, 'A'], [`same.default.svc.${ZONE}`, 'TXT'],
      [`_peer._tcp.pub.default.svc.${ZONE}`, 'SRV'], [`pub-1.pub.default.svc.${ZONE}`, 'A'], [`nope.default.svc.${ZONE}`, 'A'],
    ];
    for (const [name, type] of questions) {
      // With EDNS: without it the 9-record SRV answer is cut to 512 bytes, and BIND rotates which records are left.
      const [real, fake] = await Promise.all([rawQuery(bind.nameserver, name, type, { edns: 1232 }), rawQuery(bind.fake.nameserver, name, type, { edns: 1232 })]);
      const shape = (answer: RawResponse) => ({
        rcode: answer.rcode,
        aa: answer.aa,
        tc: answer.tc,
        answers: lines(answer.answers),
        soa: answer.authorities.map((record) => record.type),
      });
      expect(shape(real), `${name} ${type}`).toEqual(shape(fake));
    }
  });
});

describe('sync()', () => {
  it('publishes scale, restart and readiness changes, and only then', async () => {
    const svc = bind.defineService({ name: 'moving', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
    await bind.sync();
    const names = async () => (await resolver(bind).resolveSrv(`_peer._tcp.moving.default.svc.${ZONE}`)).map((record) => record.name).sort();

    svc.scale(5);
    expect(await names()).toHaveLength(3); // not synced yet: BIND still serves the old zone
    await bind.sync();
    expect(await names()).toEqual([0, 1, 2, 3, 4].map((ordinal) => svc.podHost(`moving-${ordinal}`)));

    const before = svc.pods[1]?.addresses;
    svc.restart('moving-1');
    svc.setReady('moving-4', false);
    await bind.sync();
    expect(await resolver(bind).resolve4(svc.podHost('moving-1'))).toEqual(svc.pods[1]?.addresses);
    expect(svc.pods[1]?.addresses).not.toEqual(before);
    expect(await names()).toHaveLength(4);
    await expect(resolver(bind).resolve4(svc.podHost('moving-4'))).rejects.toMatchObject({ code: 'ENOTFOUND' });

    svc.scale(0);
    await bind.sync();
    await expect(resolver(bind).resolveSrv(`_peer._tcp.moving.default.svc.${ZONE}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe("BIND's own additional section and truncation", () => {
  const srvName = (service: string) => `_peer._tcp.${service}.default.svc.${ZONE}`;

  it('adds every target address for up to 13 SRV records, and none at all from 14 on (UDP and TCP alike)', async () => {
    const glue = bind.defineService({ name: 'glue', ports: [{ name: 'peer', port: 7000 }], replicas: 13 });
    await bind.sync();
    for (const transport of ['udp', 'tcp'] as const) {
      const thirteen = await rawQuery(bind.nameserver, srvName('glue'), 'SRV', { edns: 1232, transport });
      expect(thirteen.tc).toBe(false);
      expect(lines(thirteen.additionals)).toEqual(glue.pods.map((pod) => `${glue.podHost(pod.name)}. A ${pod.addresses[0]}`).sort());
    }
    glue.scale(14);
    await bind.sync();
    for (const transport of ['udp', 'tcp'] as const) {
      const fourteen = await rawQuery(bind.nameserver, srvName('glue'), 'SRV', { edns: 1232, transport });
      expect(fourteen).toMatchObject({ tc: false, additionals: [] });
      expect(fourteen.answers).toHaveLength(14);
    }
  });

  it('fills the additional section only as far as it fits, without TC: 13 dual-stack targets get their 13 A first, then only the AAAA that still fit (3 for these names)', async () => {
    bind.defineService({ name: 'dualglue', ports: [{ name: 'peer', port: 7000 }], replicas: 13, ipFamilies: ['IPv4', 'IPv6'] });
    await bind.sync();
    const udp = await rawQuery(bind.nameserver, srvName('dualglue'), 'SRV', { edns: 1232 });
    expect(udp).toMatchObject({ tc: false });
    expect(udp.size).toBeLessThanOrEqual(1232);
    expect(udp.additionals.filter((record) => record.type === 'A')).toHaveLength(13);
    expect(udp.additionals.filter((record) => record.type === 'AAAA')).toHaveLength(3);
    const tcp = await rawQuery(bind.nameserver, srvName('dualglue'), 'SRV', { edns: 1232, transport: 'tcp' });
    expect(tcp.additionals).toHaveLength(26);
  });

  it('over UDP with EDNS 1232 (or 4096: BIND caps at 1232), TC=1 with an empty answer; without EDNS, TC=1 with a partial answer; never TC over TCP', async () => {
    bind.defineService({ name: 'big', ports: [{ name: 'peer', port: 7000 }], replicas: 300 });
    await bind.sync();
    for (const edns of [1232, 4096]) {
      const answer = await rawQuery(bind.nameserver, srvName('big'), 'SRV', { edns });
      expect(answer, `EDNS ${edns}`).toMatchObject({ tc: true, rcode: 0, answers: [], edns: true });
    }
    const plain = await rawQuery(bind.nameserver, srvName('big'), 'SRV');
    expect(plain.tc).toBe(true);
    expect(plain.size).toBeLessThanOrEqual(512);
    expect(plain.answers.length).toBeGreaterThan(0);
    expect(plain.answers.length).toBeLessThan(300);

    const tcp = await rawQuery(bind.nameserver, srvName('big'), 'SRV', { transport: 'tcp', edns: 1232 });
    expect(tcp).toMatchObject({ tc: false, additionals: [] });
    expect(tcp.answers).toHaveLength(300);
    const a = await rawQuery(bind.nameserver, `big.default.svc.${ZONE}`, 'A', { transport: 'tcp' });
    expect(a.answers).toHaveLength(300); // needs max-records-per-type 0: BIND 9.18.28+ refuses RRsets over 100
  });
});

describe('options', () => {
  it('minimalResponses drops the additional section; the default has the glue of a small Service', async () => {
    const minimal = await startBind({ minimalResponses: true });
    try {
      for (const target of [bind, minimal]) target.defineService({ name: 'small', ports: [{ name: 'peer', port: 7000 }], replicas: 3 });
      await Promise.all([bind.sync(), minimal.sync()]);
      const name = `_peer._tcp.small.default.svc.${ZONE}`;
      const [full, bare] = await Promise.all([rawQuery(bind.nameserver, name, 'SRV', { edns: 1232 }), rawQuery(minimal.nameserver, name, 'SRV', { edns: 1232 })]);
      expect(full.additionals).toHaveLength(3);
      expect(bare.additionals).toEqual([]);
      expect(lines(bare.answers)).toEqual(lines(full.answers));
    } finally {
      await minimal.close();
    }
  });

  it('serves on ::1 with another cluster domain and TTL; close() is idempotent', async () => {
    const v6 = await startBind({ host: '::1', clusterDomain: 'kube.example', ttl: 30 });
    try {
      expect(v6.nameserver).toBe(`[::1]:${v6.port}`);
      expect(v6.version).toMatch(/^9\.\d+\.\d+/);
      const svc = v6.defineService({ name: 'db', namespace: 'data', ports: [{ name: 'db', port: 5432 }], replicas: 1 });
      await v6.sync();
      const answer = await rawQuery(v6.nameserver, `_db._tcp.db.data.svc.kube.example`, 'SRV');
      expect(answer.answers).toEqual([{ name: '_db._tcp.db.data.svc.kube.example.', type: 'SRV', ttl: 30, data: `0 100 5432 ${svc.podHost('db-0')}.` }]);
    } finally {
      await v6.close();
      await v6.close();
    }
  });
});
