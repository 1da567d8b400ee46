/**
 * The source check of a reply. On a connected UDP socket the kernel already drops datagrams from
 * other addresses and ports, so this guard is a second line of defence; it is tested directly.
 */
import { describe, expect, it } from 'vitest';
import { isServerAddress } from '../../src/dns/exchange';

describe('isServerAddress', () => {
  it('accepts the server by value, however an IPv6 address is spelled', () => {
    expect(isServerAddress({ address: '::1', port: 53, family: 6 }, '0:0:0:0:0:0:0:1')).toBe(true);
    expect(isServerAddress({ address: 'fd00::a', port: 53, family: 6 }, 'FD00:0::A')).toBe(true);
    expect(isServerAddress({ address: '10.96.0.10', port: 53, family: 4 }, '10.96.0.10')).toBe(true);
  });

  it('rejects any other address', () => {
    expect(isServerAddress({ address: '127.0.0.1', port: 53, family: 4 }, '127.0.0.2')).toBe(false);
    expect(isServerAddress({ address: '::1', port: 53, family: 6 }, '::2')).toBe(false);
    expect(isServerAddress({ address: '10.96.0.10', port: 53, family: 4 }, '10.96.0.100')).toBe(false);
  });
});
