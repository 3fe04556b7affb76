/** What installing, testing and removing the guard needs beyond stacks, secrets and the edge. */

/** the function bundle built by scripts/build-guard.js */
export interface GuardBundle {
  zip: Uint8Array;
  sha256: string;
}

export interface AssetStore {
  /** uploads unless an object with this key exists already (keys carry the content's sha256) */
  put(bucket: string, key: string, body: Uint8Array): Promise<{uploaded: boolean}>;
}

export interface FunctionInvoker {
  /** invokes synchronously; returns the function's JSON answer, throws with its error otherwise */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
}

export interface StackRemover {
  /** deletes the stack and waits until it is gone; false when there was none */
  deleteStack(stackName: string): Promise<boolean>;
}

/** where the app's state lives (plans/<app>/backend.json; no file: local files) */
export type StateLocation = {type: 'local'} | {type: 's3'; bucket: string; prefix: string; region: string};
