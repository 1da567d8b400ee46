import { describe, expect, it } from 'vitest';
import { formatNameserver, parseNameserver } from '../../src/dns/nameserver';

describe('parseNameserver', () => {
  it.each([
    ['10.96.0.10', { address: '10.96.0.10', port: 53, family: 4 }],
    ['10.96.0.10:5353', { address: '10.96.0.10', port: 5353, family: 4 }],
    ['fd00::a', { address: 'fd00::a', port: 53, family: 6 }],
    ['[fd00::a]', { address: 'fd00::a', port: 53, family: 6 }],
    ['[::1]:8053', { address: '::1', port: 8053, family: 6 }],
    [' 127.0.0.1 ', { address: '127.0.0.1', port: 53, family: 4 }],
  ])('parses %s', (text, expected) => {
    expect(parseNameserver(text)).toEqual(expected);
  });

  it.each(['', 'kube-dns', 'kube-dns:53', '10.96.0.10:0', '10.96.0.10:65536', '10.96.0.10:x', '[10.0.0.1]:53', '[fd00::a]:', '::1:53x', '1.2.3.4:5:6'])(
    'rejects %j',
    (text) => {
      expect(parseNameserver(text)).toBeUndefined();
    },
  );

  it('formats back to ip:port and [v6]:port', () => {
    expect(formatNameserver({ address: '10.0.0.1', port: 53, family: 4 })).toBe('10.0.0.1:53');
    expect(formatNameserver({ address: '::1', port: 5353, family: 6 })).toBe('[::1]:5353');
  });
});
