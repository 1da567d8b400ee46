/**
 * What `on-demand.ts` loads on first use, as one module (one chunk of the package): the doctor's
 * checks and the explanation of an empty membership, which shares most of them.
 *
 * @module
 */
export { diagnose } from './diagnose';
export { explainEmpty } from './explain-empty';
