/**
 * Test helpers: a fake Kubernetes cluster DNS server on loopback.
 *
 * @packageDocumentation
 */
export {};
