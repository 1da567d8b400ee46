import { describe, expect, it } from 'vitest';
import { reverseName } from '../../src/dns/reverse';

describe('reverseName', () => {
  it('reverses IPv4 octets under in-addr.arpa', () => {
    expect(reverseName('10.244.2.6')).toBe('6.2.244.10.in-addr.arpa.');
  });

  it('expands and reverses IPv6 nibbles under ip6.arpa', () => {
    expect(reverseName('2001:db8::1')).toBe(
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.',
    );
    expect(reverseName('::1')).toBe(`1.${'0.'.repeat(31)}ip6.arpa.`);
    expect(reverseName('fd00:10:244::')).toBe(`${'0.'.repeat(20)}4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa.`);
  });

  it('handles an IPv4-mapped tail', () => {
    expect(reverseName('::ffff:10.0.0.1')).toBe(reverseName('::ffff:a00:1'));
  });

  it('rejects what is not an address', () => {
    expect(() => reverseName('mysql-0')).toThrow(TypeError);
  });
});
