/**
 * headless-discovery: find the peers of a clustered service behind a Kubernetes headless Service.
 *
 * @packageDocumentation
 */
export * from './errors';
