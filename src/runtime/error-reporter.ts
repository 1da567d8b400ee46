/**
 * Where a discovery's errors go: the `error` event, or (with nobody listening) one process
 * warning, so that a failure is never silent and never crashes the process.
 *
 * @module
 */
import { ListenerError, type DiscoveryError } from '../errors';

/** What the reporter needs of the discovery's emitter. */
export interface ErrorEmitter {
  listenerCount(event: 'error'): number;
  emit(event: 'error', error: DiscoveryError): boolean;
}

/** Reports errors of one discovery. */
export class ErrorReporter {
  readonly #emitter: ErrorEmitter;
  #warned = false;

  constructor(emitter: ErrorEmitter) {
    this.#emitter = emitter;
  }

  /** Emit `error`; with nobody listening, say so once as a process warning instead of staying silent. */
  report(error: DiscoveryError): void {
    if (this.#emitter.listenerCount('error') > 0) {
      this.#emitter.emit('error', error);
      return;
    }
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(
      `${error.message} (further errors of this discovery are not reported: add an "error" listener to see them)`,
      { type: 'HeadlessDiscoveryWarning', code: error.code },
    );
  }

  /** A listener of `event` threw: a `ListenerError`, or, for an `error` listener, a process warning (reporting it to itself would loop). */
  listenerFailed(event: string, error: unknown): void {
    if (event === 'error') process.emitWarning(`A listener for "error" threw: ${String(error)}`, 'HeadlessDiscoveryWarning');
    else this.report(new ListenerError(event, error));
  }
}
