/** The part of heroku-client 3.x (CommonJS, no bundled types) the adapter uses. */
declare module 'heroku-client' {
  import type {IncomingMessage} from 'node:http';

  export interface HerokuClientOptions {
    /** sent as Basic auth `:token` unless an Authorization header is given */
    token?: string;
    /** `https://api.heroku.com` by default; `http://127.0.0.1:PORT` works; a path is ignored */
    host?: string;
    headers?: Record<string, string>;
    userAgent?: string;
    /** true: return the first page only instead of following Next-Range */
    partial?: boolean;
    /** sees every HTTP response (each page) before heroku-client reads it; call next() to go on */
    middleware?: (res: IncomingMessage, next: () => void) => void;
  }

  export interface RequestOptions extends HerokuClientOptions {
    body?: unknown;
    /** socket idle timeout in ms: heroku-client aborts and rejects with `Request took longer than N ms to complete.` */
    timeout?: number;
  }

  export default class Heroku {
    constructor(options?: HerokuClientOptions);
    get<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    patch<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    post<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    put<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
    delete<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  }
}
