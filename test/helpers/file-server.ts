import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

// A process of its own: the tests run jetpack synchronously, which would block a server
// running in the test's process. It logs each request's path to a file.
const SERVER = `
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const [dir, log] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  fs.appendFileSync(log, req.url + '\\n');
  const file = path.join(dir, path.normalize(decodeURIComponent(req.url)));
  if (!file.startsWith(dir + '/') || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-length': fs.statSync(file).size });
  fs.createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

export interface FileServer {
  /** http://127.0.0.1:PORT, serving the files of the directory. */
  url: string;
  /** How many requests it answered so far. */
  requests(): number;
  close(): void;
}

/** Serves the files of `dir` over http on loopback, from a child process. */
export async function serveDirectory(dir: string, log: string): Promise<FileServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, dir, log], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
    close: () => void child.kill(),
  };
}
