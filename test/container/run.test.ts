import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';

// `jetpack run IMAGE` starts the image's app as the manifest describes it.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);

/** Builds an image on busybox with this app (and this build script); returns its ID. */
function imageWithApp(name: string, app: object | undefined, script = 'true'): string {
  const dir = path.join(work, name.replace(/\W/g, '_'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name, ...(app ? { app } : {}) }));
  return jetpackOk(root, ['build', `-dir=${dir}`, 'jetpack/busybox', '/bin/sh', '-ec', script]).trim();
}

const SHOW = ['/bin/sh', '-c', 'echo "$(id -u):$(id -g):$(id -G)"; pwd; echo "$GREETING|$HOME|$USER"; exit 7'];
const app = imageWithApp(
  'example.com/app',
  {
    exec: SHOW,
    user: 'nobody',
    group: 'nogroup',
    supplementaryGIDs: [10, 20],
    workingDirectory: '/srv/app',
    environment: [{ name: 'GREETING', value: 'hello there' }],
    mountPoints: [
      { name: 'data', path: '/srv/data' },
      { name: 'conf', path: '/etc/app', readOnly: true },
    ],
  },
  'mkdir -p /srv/app /srv/data /etc/app',
);

test("the app runs as its user and groups, in its directory, with its environment; its status is jetpack's", () => {
  const r = jetpack(root, ['run', app]);
  assert.is(r.status, 7, r.stderr);
  assert.is(r.stdout, '65534:65534:65534 10 20\n/srv/app\nhello there|/nonexistent|nobody\n');
});

test('a command instead of the app runs as root in /; flags override the app', () => {
  const r = jetpack(root, ['run', app, '/bin/sh', '-c', 'id -u; pwd; echo "[$GREETING]"']);
  assert.is(r.stdout, '0\n/\n[]\n');
  const f = jetpack(root, ['run', '-user=1234:5', '-workdir=/tmp', '-env=GREETING=hi', '-env=EMPTY=', app]);
  assert.is(f.status, 7);
  assert.is(f.stdout, '1234:5:5\n/tmp\nhi|/root|root\n');
  const named = jetpack(root, ['run', '-user=nobody', app, 'id']);
  assert.is(named.stdout, 'uid=65534(nobody) gid=65534(nogroup)\n', 'busybox id: no groups= when there are none beyond the gid');
  const byPath = jetpack(root, ['run', '-user=/etc/passwd:/etc/passwd', app, 'id', '-u']);
  assert.is(byPath.stdout, '0\n', 'a path names its owner');
});

test('an image without an app gets an interactive /bin/sh', () => {
  const plain = imageWithApp('example.com/plain', undefined);
  const r = jetpack(root, ['run', plain], { input: 'echo from the shell; exit 4\n' });
  assert.is(r.status, 4);
  assert.is(r.stdout, 'from the shell\n');
});

test('-bind and -volume mount host paths, read-only when asked', () => {
  const host = path.join(work, 'host');
  mkdirSync(host);
  writeFileSync(path.join(host, 'in'), 'from the host\n');
  const r = jetpack(root, [
    'run',
    `-bind=${host}:/mnt/new/deep`,
    `-bind=${host}/in:/etc/motd:ro`,
    app,
    '/bin/sh',
    '-c',
    'cat /mnt/new/deep/in; cat /etc/motd; echo out > /mnt/new/deep/out; ! echo x 2>/dev/null > /etc/motd',
  ]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'from the host\nfrom the host\n');
  assert.is(readFileSync(path.join(host, 'out'), 'utf8'), 'out\n');
  const v = jetpack(root, [
    'run',
    `-volume=data:${host}`,
    `-volume=conf:${host}`,
    app,
    '/bin/sh',
    '-c',
    'cat /srv/data/in; touch /etc/app/x 2>/dev/null || echo read-only',
  ]);
  assert.is(v.stdout, 'from the host\nread-only\n');
  assert.equal(storeState(root).tmp, [], 'the container is gone');
  assert.is(readFileSync('/proc/mounts', 'utf8').includes(host), false, 'no mount left');
});

test('bad app fields and flags: one line naming the field, nothing run', () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['run', imageWithApp('example.com/ghost', { exec: ['/bin/true'], user: 'ghost', group: '0' })],
      /^jetpack: app\.user "ghost": no such user in the image's \/etc\/passwd\n$/,
    ],
    [
      ['run', imageWithApp('example.com/nogroup', { exec: ['/bin/true'], user: '0', group: 'wheel' })],
      /^jetpack: app\.group "wheel": no such group in the image's \/etc\/group\n$/,
    ],
    [
      ['run', imageWithApp('example.com/nodir', { exec: ['/bin/true'], user: '0', group: '0', workingDirectory: '/nowhere' })],
      /^jetpack: app\.workingDirectory \/nowhere: no such directory in the image\n$/,
    ],
    [['run', '-volume=logs:/tmp', app], /^jetpack: -volume logs: the image's app\.mountPoints has no "logs" \(it has: data, conf\)\n$/],
    [['run', '-bind=/tmp', app], /^jetpack: -bind "\/tmp": give HOST:CONTAINER or HOST:CONTAINER:ro\n$/],
    [['run', '-bind=/no/such/dir:/x', app], /^jetpack: -bind \/no\/such\/dir:\/x: \/no\/such\/dir does not exist on the host\n$/],
    [['run', '-bind=/tmp:relative', app], /^jetpack: -bind target "relative": must be an absolute path in the container\n$/],
    [['run', '-bind=/tmp:/bin/sh/x', app], /^jetpack: cannot mount on \/bin\/sh\/x in the container: \/bin\/busybox is not a directory in the image\n$/],
    [['run', '-env=1BAD=x', app], /^jetpack: -env "1BAD=x": give NAME=VALUE/],
    [['run', '-user=ghost', app], /^jetpack: -user "ghost": no such user in the image's \/etc\/passwd\n$/],
    [['run', '-user=4242', app], /^jetpack: -user 4242: uid 4242 has no \/etc\/passwd entry in the image to take a group from; give -user=4242:GROUP\n$/],
  ];
  for (const [args, expected] of cases) {
    const r = jetpack(root, args);
    assert.is(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, expected);
    assert.is(r.stdout, '', 'nothing ran');
  }
  assert.equal(storeState(root).tmp, []);
});

test('a command the image lacks is one line naming the PATH looked in, before any container starts', () => {
  const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const cases: Array<[string[], string]> = [
    [['run', app, 'nope'], `jetpack: run: no "nope" in the image (PATH=${PATH})\n`],
    [['run', app, '--', 'nope', '-x'], `jetpack: run: no "nope" in the image (PATH=${PATH})\n`],
    [['run', app, '/bin/nope'], 'jetpack: run: no "/bin/nope" in the image\n'],
    [['run', app, '/etc'], 'jetpack: run: no "/etc" in the image\n'],
    [['run', '-workdir=/etc', app, './passwd-not'], 'jetpack: run: no "./passwd-not" in the image\n'],
    [['run', '-env=PATH=/opt:/srv', app, 'sh'], 'jetpack: run: no "sh" in the image (PATH=/opt:/srv)\n'],
  ];
  for (const [args, expected] of cases) {
    const r = jetpack(root, args);
    assert.is(r.status, 127, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr, expected);
    assert.is(r.stdout, '');
  }
  assert.equal(storeState(root).tmp, [], 'no container was left');
  // Found through the image's links (sh -> busybox), on the PATH -env gives, or brought by a bind.
  assert.is(jetpack(root, ['run', '-env=PATH=/opt:/bin', app, 'sh', '-c', 'echo found']).stdout, 'found\n');
  const tool = path.join(work, 'tool');
  writeFileSync(tool, '#!/bin/sh\necho bound\n', { mode: 0o755 });
  assert.is(jetpack(root, ['run', `-bind=${tool}:/opt/tool`, app, '/opt/tool']).stdout, 'bound\n');
});

test('after IMAGE, "--" may start the command; flags after the command are its own, -root and -debug too', () => {
  assert.is(jetpack(root, ['run', app, '--', 'echo', '-root=x', '-debug']).stdout, '-root=x -debug\n');
  assert.is(jetpack(root, ['run', app, 'echo', '-root', '-debug']).stdout, '-root -debug\n');
  assert.is(jetpack(root, ['run', '-debug', app, 'true']).status, 0, "before IMAGE, -debug is jetpack's");
});

test("users are looked up in the image's own /etc/passwd, never through a symlink to the host's", () => {
  // /etc is an absolute symlink to /etc: followed from the host, it would name the host's.
  const tree = path.join(work, 'etc-link');
  sh(`mkdir -p "${tree}" && ln -s /etc "${tree}/etc"`);
  const manifest = { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/etc-link', app: { exec: ['/bin/true'], user: '_apt', group: '0' } };
  const linked = jetpackOk(root, ['import', makeAciWithTar(work, tree, manifest)]).trim();
  assert.match(readFileSync('/etc/passwd', 'utf8'), /^_apt:/m, 'the host has the user');
  const r = jetpack(root, ['run', linked]);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'jetpack: app.user "_apt": no such user in the image\'s /etc/passwd\n');
});

test('pre-start and post-stop handlers run around the app; a failing pre-start stops it', () => {
  const handled = imageWithApp('example.com/handled', {
    exec: ['/bin/sh', '-c', 'echo app; cat /tmp/started'],
    user: '0',
    group: '0',
    eventHandlers: [
      { name: 'pre-start', exec: ['/bin/sh', '-c', 'echo pre > /tmp/started; echo pre-start'] },
      { name: 'post-stop', exec: ['/bin/sh', '-c', 'echo post-stop'] },
    ],
  });
  const r = jetpack(root, ['run', handled]);
  assert.is(r.stdout, 'pre-start\napp\npre\npost-stop\n');
  const failing = imageWithApp('example.com/failing', {
    exec: ['/bin/sh', '-c', 'echo app'],
    user: '0',
    group: '0',
    eventHandlers: [{ name: 'pre-start', exec: ['/bin/sh', '-c', 'exit 3'] }],
  });
  const f = jetpack(root, ['run', failing]);
  assert.is(f.status, 3);
  assert.is(f.stdout, '');
  assert.match(f.stderr, /pre-start handler \(\/bin\/sh\) exited with status 3; the app was not started/);
});

test.after(() => removeDir(work));
test.run();
