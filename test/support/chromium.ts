/**
 * Headless Chromium (Debian's package) for screenshot tests, with every request it makes sent to
 * a counting proxy on loopback: a page that opens offline makes none.
 */
import {spawn, spawnSync} from 'node:child_process';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';

export function chromiumPath(): string {
  for (const bin of ['chromium', 'chromium-browser']) if (spawnSync('which', [bin]).status === 0) return bin;
  throw new Error("Debian's chromium is not installed: run `apt-get install -y chromium` (the test setup script installs it).");
}

/** the browser's own background calls (clock, updates, account checks), not made by the page */
const BROWSER_OWN = /^(CONNECT |GET |POST )(https?:\/\/)?[a-z0-9.-]*\.(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)(:443)?[/ ]?/;

/** `proxied`: what the page asked the network for; `browser`: the browser's own background calls */
export async function screenshot(file: string, png: string, size = '1000,3000'): Promise<{proxied: string[]; browser: string[]}> {
  const proxied: string[] = [];
  const proxy = createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    res.statusCode = 502;
    res.end();
  });
  proxy.on('connect', (req, socket) => {
    proxied.push(`CONNECT ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as AddressInfo).port;
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        chromiumPath(),
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--hide-scrollbars',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-default-apps',
          '--disable-sync',
          `--proxy-server=http://127.0.0.1:${port}`,
          '--proxy-bypass-list=<-loopback>',
          `--window-size=${size}`,
          `--screenshot=${png}`,
          `file://${file}`,
        ],
        {stdio: ['ignore', 'ignore', 'pipe']},
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`chromium exited ${code}: ${err}`));
      });
    });
  } finally {
    await new Promise((r) => proxy.close(r));
  }
  return {proxied: proxied.filter((r) => !BROWSER_OWN.test(r)), browser: proxied.filter((r) => BROWSER_OWN.test(r))};
}
