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
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', JETPACK, `-root=${root}`, 'diagnose', 'template', file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 30, env: { ...process.env, CI: 'true', JETPACK_DEBUG: '' } });
  const rss = /maxrss=(\d+)\n$/.exec(r.stderr);
  const stderr = r.stderr.replace(/(Command exited with non-zero status \d+\n)?maxrss=\d+\n$/, '');
  return { status: r.status ?? -1, stderr, stdout: r.stdout, seconds: (Date.now() - start) / 1000, maxRssKiB: Number(rss?.[1]) };
}

const cases: Array<[string, string, RegExp]> = [
  ['template calls itself', '{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}', /^jetpack: template: a: exceeded maximum template depth \(300\)$/],
  ['include calls itself', '{{define "a"}}{{include "a" .}}{{end}}{{include "a" .}}', /exceeded maximum template depth \(300\)$/],
  ['include of a growing value', '{{define "a"}}{{include "a" (list . .)}}{{end}}{{include "a" 1}}', /exceeded maximum template depth \(300\)$/],
  ['tpl renders itself', '{{define "a"}}{{tpl "{{include \\"a\\" .}}" .}}{{end}}{{include "a" $}}', /exceeded maximum template depth \(300\)$/],
  ['two templates call each other', '{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}x{{template "a" .}}{{end}}{{template "a" .}}', /exceeded maximum template depth \(300\)$/],
  ['binary recursion (2^300 calls)', '{{define "a"}}{{template "a" .}}{{template "a" .}}{{end}}{{template "a" .}}', /exceeded maximum template depth \(300\)$/],
  ['repeat of 2^31 characters', '{{ repeat 2147483647 "x" }}', /^jetpack: .*:1:4: executing ".*" at <repeat>: error calling repeat: the result would be larger than 16 Mi characters$/],
  ['range over until 10^8', '{{ range until 100000000 }}x{{ end }}', /at <until>: error calling until: a sequence of more than 1000000 numbers$/],
  ['untilStep of 10^8', '{{ untilStep 0 100000000 1 | len }}', /at <untilStep>: error calling untilStep: a sequence of more than 1000000 numbers$/],
  ['seq of 10^8', '{{ seq 100000000 }}', /at <seq>: error calling seq: a sequence of more than 1000000 numbers$/],
  ['output doubled in a loop', '{{ $s := "xxxxxxxxxxxxxxxx" }}{{ range until 30 }}{{ $s = print $s $s }}{{ end }}{{ $s }}', /: executing ".*" at <.*>: (error calling print: )?.*(Invalid string length|larger than 16 Mi characters)$/],
  ['a loop printing without end', '{{ range until 1000000 }}{{ repeat 100 "x" }}{{ end }}', /: template: output larger than 16 Mi characters$/],
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

test('a recursive template in a hook file ends the job with one line, nothing run', () => {
  const job = path.join(dir, 'job');
  mkdirSync(job);
  writeFileSync(path.join(job, 'job.yaml'), 'jobs:\n- name: x\n  source: { type: http, uri: "http://127.0.0.1:9/x.tar" }\n  output: { type: file, name: x.tar }\n  hooks_files: [h.yml]\n');
  writeFileSync(path.join(job, 'h.yml'), '{{define "a"}}{{include "a" .}}{{end}}hooks: [{{include "a" .}}]\n');
  const r = spawnSync(JETPACK, [`-root=${root}`, 'metro', 'run', '--specfile', path.join(job, 'job.yaml'), '--job', 'x'], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /^jetpack: template: a: exceeded maximum template depth \(300\)\n$/);
  assert.equal(readdirSync(job).sort(), ['h.yml', 'job.yaml']);
});

test.after(() => removeDir(work));
test.run();
