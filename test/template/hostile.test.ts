import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, removeDir, tempDir } from '../helpers/cli.js';

// Templates as untrusted input (issue 26.8): recursion through template, include and tpl,
// and outputs without end are refused with one line and status 1 (never a crash, status
// 70), in bounded time and memory, writing nothing.
const work = tempDir();
const root = path.join(work, 'store');
const dir = path.join(work, 'templates');
mkdirSync(dir);

function render(name: string, text: string): { status: number; stderr: string; stdout: string; seconds: number; maxRssKiB: number } {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const start = Date.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', JETPACK, `-root=${root}`, 'diagnose', 'template', file], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 1 << 30,
    env: { ...process.env, CI: 'true', JETPACK_DEBUG: '' },
  });
  const rss = /maxrss=(\d+)\n$/.exec(r.stderr);
  const stderr = r.stderr.replace(/(Command exited with non-zero status \d+\n)?maxrss=\d+\n$/, '');
  return { status: r.status ?? -1, stderr, stdout: r.stdout, seconds: (Date.now() - start) / 1000, maxRssKiB: Number(rss?.[1]) };
}

// Go's bound on nested templates (100000, Go's message); Helm's on nested includes of one name
// (1000, Helm's message, wrapped by every include as Go wraps it), or, where an include runs
// nested in an expression, the end of Node's stack (one line, not a crash).
const INCLUDE_BOUND = /(rendering template has a nested reference name: a: unable to execute template|nested too deeply \(JavaScript's stack ran out\))$/;
const cases: Array<[string, string, RegExp]> = [
  [
    'template calls itself',
    '{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}',
    /^jetpack: template: \S+:1:25: executing "a" at <\{\{template "a" \.\}\}>: exceeded maximum template depth \(100000\)$/,
  ],
  ['include calls itself', '{{define "a"}}{{include "a" .}}{{end}}{{include "a" .}}', INCLUDE_BOUND],
  ['include of a growing value', '{{define "a"}}{{include "a" (list . .)}}{{end}}{{include "a" 1}}', INCLUDE_BOUND],
  // tpl's second argument is a map[string]interface {}: Go refuses an int there.
  ['tpl renders itself', '{{define "a"}}{{tpl "{{include \\"a\\" .}}" .}}{{end}}{{include "a" $}}', INCLUDE_BOUND],
  [
    'two templates call each other',
    '{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}x{{template "a" .}}{{end}}{{template "a" .}}',
    /exceeded maximum template depth \(100000\)$/,
  ],
  [
    'binary recursion (2^100000 calls)',
    '{{define "a"}}{{template "a" .}}{{template "a" .}}{{end}}{{template "a" .}}',
    /exceeded maximum template depth \(100000\)$/,
  ],
  ['repeat of 2^31 characters', '{{ repeat 2147483647 "x" }}', /^jetpack: template: .*:1:3: executing ".*" at <repeat 2147483647 "x">: error calling repeat: /],
  // until's numbers are made as range reads them: the output bound ends this one, not the memory.
  ['range over until 10^8', '{{ range until 100000000 }}x{{ end }}', /: output larger than 16 Mi characters$/],
  [
    'untilStep of 10^8 joined',
    '{{ untilStep 0 100000000 1 | join "," }}',
    /at <join ",">: error calling join: a list of 100000000 elements read whole: more than 4000000 elements$/,
  ],
  ['seq of 10^8', '{{ seq 100000000 }}', /at <seq 100000000>: error calling seq: a list of 100000000 elements read whole: more than 4000000 elements$/],
  ['until past the longest list', '{{ until 5000000000 }}', /at <until 5000000000>: error calling until: a sequence of more than 4294967295 numbers$/],
  [
    'output doubled in a loop',
    '{{ $s := "xxxxxxxxxxxxxxxx" }}{{ range until 30 }}{{ $s = print $s $s }}{{ end }}{{ $s }}',
    /: executing ".*" at <.*>: (error calling print: )?.*(Invalid string length|larger than 16 Mi characters)$|output larger than 16 Mi characters$/,
  ],
  ['a loop printing without end', '{{ range until 1000000 }}{{ repeat 100 "x" }}{{ end }}', /^jetpack: template: \S+: output larger than 16 Mi characters$/],
];

for (const [what, text, error] of cases) {
  test(what, () => {
    const r = render(`${what.replace(/\W+/g, '-')}.tpl`, text);
    assert.is(r.status, 1, r.stderr);
    assert.ok(r.stderr.split('\n').length === 2, `one line: ${r.stderr}`);
    assert.match(r.stderr.trimEnd(), error, r.stderr);
    assert.is(r.stdout, '');
    assert.ok(r.seconds < 20, `${r.seconds} s`);
    assert.ok(r.maxRssKiB < 600 * 1024, `peak memory ${r.maxRssKiB} KiB`);
  });
}

test('until 10^9 is never built: its length and an element answer as Go does', () => {
  const r = render('until-len.tpl', '{{ until 1000000000 | len }} {{ index (untilStep 0 1000000000 3) 999 }} {{ until 1000000000 | last }}');
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '1000000000 2997 999999999');
  assert.ok(r.maxRssKiB < 600 * 1024, `peak memory ${r.maxRssKiB} KiB`);
});

test('a recursive template in a hook file ends the job with one line, nothing run', () => {
  const job = path.join(dir, 'job');
  mkdirSync(job);
  writeFileSync(
    path.join(job, 'job.yaml'),
    'jobs:\n- name: x\n  source: { type: http, uri: "http://127.0.0.1:9/x.tar" }\n  output: { type: file, name: x.tar }\n  hooks_files: [h.yml]\n',
  );
  writeFileSync(path.join(job, 'h.yml'), '{{define "a"}}{{include "a" .}}{{end}}hooks: [{{include "a" .}}]\n');
  const r = spawnSync(JETPACK, [`-root=${root}`, 'metro', 'run', '--specfile', path.join(job, 'job.yaml'), '--job', 'x'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(r.status, 1, r.stderr);
  assert.ok(r.stderr.split('\n').length === 2, 'one line');
  assert.match(r.stderr.trimEnd(), INCLUDE_BOUND);
  assert.equal(readdirSync(job).sort(), ['h.yml', 'job.yaml']);
});

test.after(() => removeDir(work));
test.run();
