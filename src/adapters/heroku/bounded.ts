/**
 * Puts limits around one heroku-client call (docs/network-limits.md). heroku-client buffers
 * whole bodies without a limit, waits for `end` forever when a server closes before the
 * Content-Length it announced, and retries an aborted request by itself 1-8 s later (so its
 * own `timeout` option leaves requests running after the caller gave up). This:
 * - finds each request the call makes (Node's `http.client.request.start` diagnostics channel,
 *   scoped to this call with AsyncLocalStorage) and sets an idle timeout on it;
 * - refuses an answer whose Content-Length, or whose bytes so far, exceed the size cap
 *   (through heroku-client's `middleware` hook, which sees each response before it is read);
 * - fails an answer whose connection closes before it is complete (truncated);
 * - ends the whole call (all pages) at a deadline;
 * and then destroys the request and response at once with an error heroku-client does not
 * retry (statusCode 408), so no memory, socket or timer outlives the call.
 */
import {AsyncLocalStorage} from 'node:async_hooks';
import {subscribe} from 'node:diagnostics_channel';
import type {ClientRequest, IncomingMessage} from 'node:http';
import type {HttpLimits} from '../http-limits.ts';

export type BoundKind = 'timeout' | 'too-large' | 'truncated';

export class BoundedFailure extends Error {
  readonly kind: BoundKind;
  constructor(kind: BoundKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export type Middleware = (res: IncomingMessage, next: () => void) => void;

const calls = new AsyncLocalStorage<(req: ClientRequest) => void>();
let watching = false;
function watchRequests(): void {
  if (watching) return;
  watching = true;
  subscribe('http.client.request.start', (message) => calls.getStore()?.((message as {request: ClientRequest}).request));
}

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`;
/** is-retry-allowed (heroku-client's retry rule) never retries a 4xx statusCode */
const noRetry = (message: string) => Object.assign(new Error(message), {code: 'ETIMEDOUT', statusCode: 408});

/**
 * Runs `call` (a heroku-client request given `middleware`) within `limits`; `onResponse` sees
 * each response first (headers, counters).
 */
export async function bounded<T>(limits: HttpLimits, call: (options: {middleware: Middleware}) => Promise<T>, onResponse?: (res: IncomingMessage) => void): Promise<T> {
  watchRequests();
  let fail: (err: BoundedFailure) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  let request: ClientRequest | undefined;
  let response: IncomingMessage | undefined;
  let over = false;
  const stop = (err: BoundedFailure) => {
    if (over) return;
    over = true;
    fail(err);
    request?.destroy(noRetry(err.message));
    response?.destroy();
  };
  const track = (req: ClientRequest) => {
    if (over) return void req.destroy(noRetry('the call has ended'));
    request = req;
    req.setTimeout(limits.idleTimeoutMs, () => stop(new BoundedFailure('timeout', `nothing received for ${secs(limits.idleTimeoutMs)}`)));
  };
  const timer = setTimeout(() => stop(new BoundedFailure('timeout', `no complete answer within ${secs(limits.deadlineMs)}`)), limits.deadlineMs);
  let bytes = 0;
  const tooLarge = () => new BoundedFailure('too-large', `the answer is larger than ${mb(limits.maxBytes)}`);
  const middleware: Middleware = (res, next) => {
    response = res;
    onResponse?.(res);
    // a reset connection surfaces as 'close' before completion (below); unheard, its 'error' would crash the process
    res.on('error', () => {});
    res.on('close', () => {
      if (!res.complete) stop(new BoundedFailure('truncated', 'the connection closed before the answer was complete'));
    });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes - bytes) return stop(tooLarge());
    res.on('data', (chunk: Buffer | string) => {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) stop(tooLarge());
    });
    next();
  };
  try {
    return await Promise.race([calls.run(track, () => call({middleware})), failed]);
  } finally {
    over = true;
    clearTimeout(timer);
  }
}
