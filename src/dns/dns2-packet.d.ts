/**
 * Types of dns2's `Packet` codec module. The package exports only its entry point, which loads
 * dns2's servers and clients too; the build bundles `packet.js` alone (see tsup.config.ts), and
 * these are its types, taken from the package's own declarations.
 */
declare module 'dns2/packet' {
  import type DNS from 'dns2';

  const Packet: typeof DNS.Packet;
  export = Packet;
}
