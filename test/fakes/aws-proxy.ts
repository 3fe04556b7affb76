/**
 * A proxy in front of moto (or any HTTP API) that misbehaves on chosen calls, the way broken
 * proxies and endpoints do: it echoes the request in a 400 error (AWS JSON protocol error shape:
 * `__type` + `message`), never answers, or streams a 2 GB answer. Calls are chosen by the AWS
 * JSON protocol's `X-Amz-Target` (e.g. `secretsmanager.PutSecretValue`) or, for other
 * protocols, by path; everything else is forwarded unchanged.
 */
import {createServer, request, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

export type Misbehaviour = 'echo' | 'stall' | 'oversize';

export interface MisbehavingProxy {
  url: string;
  /** `match`: an X-Amz-Target value, a path, or * for every call; `echoChars`: how much of the request the echo quotes (default 250) */
  misbehave(match: string, mode: Misbehaviour, options?: {echoChars?: number; declareLength?: boolean}): void;
  clear(): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startMisbehavingProxy(upstream: string): Promise<MisbehavingProxy> {
  const rules = new Map<string, {mode: Misbehaviour; echoChars: number; declareLength: boolean}>();
  const target = new URL(upstream);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const payload = await body(req);
    const key = String(req.headers['x-amz-target'] ?? new URL(req.url ?? '/', 'http://x').pathname);
    const rule = rules.get(key) ?? rules.get('*');
    if (rule?.mode === 'stall') return;
    if (rule?.mode === 'echo') {
      const text = JSON.stringify({__type: 'ValidationException', message: `Request rejected by proxy: ${payload.toString('utf8').slice(0, rule.echoChars)}`});
      res.writeHead(400, {'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': 'ValidationException'});
      return void res.end(text);
    }
    if (rule?.mode === 'oversize') {
      const total = 2 * 1024 ** 3;
      res.writeHead(200, {'Content-Type': 'application/x-amz-json-1.1', ...(rule.declareLength ? {'Content-Length': String(total)} : {})});
      const chunk = Buffer.from('{"padding":"' + 'x'.repeat(65_000) + '"}');
      let sent = 0;
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
      }
      return void res.destroy();
    }
    const up = request({host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers}, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end(payload);
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    misbehave: (match, mode, o = {}) => void rules.set(match, {mode, echoChars: o.echoChars ?? 250, declareLength: o.declareLength ?? false}),
    clear: () => rules.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
