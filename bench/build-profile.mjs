// Where the time of one `jetpack build` goes: summarises what bench/build-profile-hook.cjs,
// preloaded into jetpack's node, recorded (bench/build.sh runs both).
//
//   node bench/build-profile.mjs [NAME=]FILE...
//       prints the median of each stretch over the runs in each FILE, one column per FILE;
//       each JSON line may carry the wall-clock start and end of the run as seen by the
//       caller (bench/build.sh adds them)
import { readFileSync } from 'node:fs';

/**
 * What the hook records: one child jetpack spawned (`end` is missing when it never exited)
 * and one run; `launch` and `end` of a run are the caller's wall clock (bench/build.sh).
 * @typedef {{ cmd: string, args: string[], start: number, end?: number }} Child
 * @typedef {{ origin: number, preload: number, exit: number, children: Child[], launch?: number, end?: number }} Run
 */

summarise(...process.argv.slice(2));

/**
 * A short name for a child: what jetpack uses it for.
 * @param {{ cmd: string, args: string[] }} c
 * @returns {string}
 */
function label(c) {
  // `setpriv --pdeathsig KILL -- sh -c CHECK PID CMD …` (diesWithJetpack, src/util/process.ts)
  // only ties CMD's life to jetpack's: name CMD.
  if (c.cmd === 'setpriv' && c.args.includes('--')) {
    let inner = c.args.slice(c.args.indexOf('--') + 1);
    if (inner[0] === 'sh' && inner[1] === '-c' && inner[2]?.includes('$PPID')) inner = inner.slice(4);
    if (inner[0] === 'unshare') return 'setpriv … unshare … sh SETUP … chroot: the container and the command';
    return `${label({ cmd: inner[0], args: inner.slice(1) })} (under setpriv)`;
  }
  const a = c.args.join(' ');
  // flock(1) locks an fd jetpack hands down (src/store/lock.ts); the arguments tell the mode.
  if (c.cmd === 'flock')
    return `flock ${c.args[0]}${c.args.includes('-n') ? ' -n' : ''}: ${c.args[0] === '-s' ? 'store lock, shared (staging)' : 'staging dir lock, then store lock (commit)'}`;
  if (c.cmd === 'sh' && a.includes('command -v')) return `sh -c 'command -v make' (tools for the container)`;
  if (c.cmd === 'ldd') return 'ldd make (tools for the container)';
  if (c.cmd === 'tar' && a.includes('--format=posix')) return "tar -c: the new image's ACI";
  // copyEntry: one entry's metadata (the parent's root dir onto the layer; #2, the parent's
  // /etc onto the scaffold when the image has no resolv.conf to bind over)
  if (c.cmd === 'tar' && a.includes('--no-recursion')) return "tar -c: an entry's metadata (the parent's root dir)";
  if (c.cmd === 'tar' && a.startsWith('-x')) return "tar -x: an entry's metadata onto the layer";
  if (c.cmd === 'cp' && a.includes('/dev/null')) return 'cp -a: the /dev template (once per store)';
  if (c.cmd === 'cp') return 'cp -a: the build dir into the work dir';
  if (c.cmd === 'touch') return "touch -r: the layer root's mtime";
  if (c.cmd === 'sync') return 'sync -f: syncfs of the store, the new image on disk (commit)';
  if (c.cmd === 'getfattr') return "getfattr: opaque marks of the layer's dirs the parent has";
  return `${c.cmd} ${a}`.slice(0, 70);
}

/** @param {number[]} values */
function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/**
 * The stretches of the runs in one file, as [name, ms per run] rows.
 * @param {string} file
 */
function stretches(file) {
  const runs = /** @type {Run[]} */ (readFileSync(file, 'utf8').trim().split('\n').map(parseJson));
  /** @type {[string, number[]][]} */
  const rows = [];
  /** @param {string} name @param {(r: Run, i: number) => number} f */
  const add = (name, f) => rows.push([name, runs.map((r, i) => f(r, i))]);
  const hasWall = runs.every((r) => r.launch !== undefined);
  if (hasWall) add('until node starts (bin/jetpack: sh, readlink)', (r) => r.origin - r.launch);
  add('node start-up, until its first module runs', (r) => r.preload);
  add("loading jetpack's modules, flags, store, parent lookup (until the 1st child)", (r) => (r.children[0]?.start ?? r.exit) - r.preload);
  // Children matched across runs by what they are (and which occurrence), not by position:
  // a run may start children others do not (tools prepared once per store, reaping).
  const keyed = runs.map((r) => {
    /** @type {Map<string, number>} */
    const seen = new Map();
    return r.children.map((c) => {
      const name = label(c);
      const k = (seen.get(name) ?? 0) + 1;
      seen.set(name, k);
      return /** @type {[string, number]} */ ([k > 1 ? `${name} (#${k})` : name, c.end - c.start]);
    });
  });
  /** @type {string[]} */
  const order = [];
  for (const run of keyed) {
    let at = -1;
    for (const [key] of run) {
      const i = order.indexOf(key);
      if (i === -1) order.splice(++at, 0, key);
      else at = i;
    }
  }
  for (const key of order) add(`  ${key}`, (r, i) => keyed[i].filter(([k]) => k === key).reduce((s, [, ms]) => s + ms, 0));
  add("node's own work between and around those children", (r) => {
    const busy = r.children.reduce((s, c) => s + (c.end - c.start), 0);
    return r.exit - (r.children[0]?.start ?? r.exit) - busy;
  });
  if (hasWall) add('exit (node teardown, reaping)', (r) => r.end - (r.origin + r.exit));
  add('total (wall clock, as the benchmark times it)', (r) => (hasWall ? r.end - r.launch : r.exit));
  return { runs: runs.length, rows };
}

/**
 * One column per file (named by `name=file` arguments), stretches matched by name in order.
 * @param {string[]} args
 */
function summarise(...args) {
  const columns = args.map((a) => {
    const eq = a.indexOf('=');
    const [name, file] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : ['median', a];
    return { name, ...stretches(file) };
  });
  // Stretch names in first-seen order, merged across files; exit and total stay last.
  /** @type {string[]} */
  const names = [];
  for (const c of columns) {
    let at = -1;
    for (const [name] of c.rows) {
      const i = names.indexOf(name);
      if (i === -1) names.splice(++at, 0, name);
      else at = i;
    }
  }
  const tables = columns.map((c) => new Map(c.rows.map(([name, values]) => [name, median(values)])));
  const width = Math.max(...names.map((n) => n.length));
  const colWidth = Math.max(8, ...columns.map((c) => c.name.length + 1));
  const cell = (/** @type {number | undefined} */ x) => (Number.isFinite(x) ? x.toFixed(1) : '-').padStart(colWidth);
  console.log(`${`median ms of ${columns.map((c) => c.runs).join('/')} builds`.padEnd(width)} ${columns.map((c) => c.name.padStart(colWidth)).join('')}`);
  for (const name of names) console.log(`${name.padEnd(width)} ${tables.map((t) => cell(t.get(name))).join('')}`);
}

/** @param {string} line @returns {unknown} */
function parseJson(line) {
  return JSON.parse(line);
}
