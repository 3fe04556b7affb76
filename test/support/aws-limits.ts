/**
 * A pass-through proxy in front of moto that enforces AWS limits moto 5.2.1 does not (docs/facts.md):
 * ECS DescribeServices with more than 10 services and RunTask with a `startedBy` longer than 128
 * characters answer InvalidParameterException, as ECS does. Every request's target (the JSON
 * protocol's `X-Amz-Target` operation) and parsed body are logged, so tests can count calls.
 */
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';

export interface AwsCall {
  operation: string;
  body: Record<string, unknown>;
}

export interface AwsLimitProxy {
  url: string;
  calls: AwsCall[];
  close(): Promise<void>;
}

type Check = (body: Record<string, unknown>) => string | undefined;

const CHECKS: Record<string, Check> = {
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
  'AmazonEC2ContainerServiceV20141113.DescribeServices': (b) =>
    Array.isArray(b.services) && b.services.length > 10 ? `services can have at most 10 items (got ${b.services.length}).` : undefined,
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
  'AmazonEC2ContainerServiceV20141113.RunTask': (b) =>
    typeof b.startedBy === 'string' && (b.startedBy.length > 128 || !/^[A-Za-z0-9_/-]*$/.test(b.startedBy)) ? 'startedBy: up to 128 letters, numbers, hyphens, slashes and underscores.' : undefined,
};

export async function startAwsLimitProxy(target: string): Promise<AwsLimitProxy> {
  const calls: AwsCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        if (operation) body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        // not JSON: passed through unchecked
      }
      if (operation) calls.push({operation, body});
      const refusal = CHECKS[operation]?.(body);
      if (refusal) {
        res.writeHead(400, {'Content-Type': 'application/x-amz-json-1.1'});
        res.end(JSON.stringify({__type: 'InvalidParameterException', message: refusal}));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)).map(([k, v]) => [k, String(v)]));
      fetch(`${target}${req.url ?? '/'}`, {method: req.method, headers, ...(raw.length ? {body: raw} : {})})
        .then(async (r) => {
          const out = Buffer.from(await r.arrayBuffer());
          const h: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(k)) h[k] = v;
          });
          res.writeHead(r.status, h);
          res.end(out);
        })
        .catch((err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
