// Example app for heroku2aws: one file, no dependencies, one role per Procfile type.
const http = require('node:http');

const role = process.argv[2] ?? 'web';
const log = (msg) => console.log(JSON.stringify({role, msg, at: new Date().toISOString()}));

if (role === 'web') {
  const server = http.createServer((req, res) => {
    if (req.url === '/health') return res.end('ok');
    res.setHeader('content-type', 'text/html');
    res.end('<h1>shop</h1><p>Served from ' + (process.env.DYNO ? 'Heroku' : 'AWS') + '</p>');
  });
  server.listen(Number(process.env.PORT ?? 3000), () => log('listening'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else if (role === 'worker') {
  setInterval(() => log('polling the job queue'), 5000);
} else if (role === 'clock') {
  setInterval(() => log('enqueueing the hourly report'), 60 * 60 * 1000);
} else if (role === 'migrate' || role === 'seed') {
  log(`${role}: nothing to do`);
} else {
  console.error(`unknown role: ${role}`);
  process.exit(1);
}
