import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderTemplate } from '../../src/template/engine.js';
import { NOW, renders, values } from './helpers.js';

// What mark-devkit's job files render to (seed 001 and mark-stages).
const STAGE3_NAME =
  'stage3-{{ .Values.arch }}-{{ .Values.subarch }}-{{ .Values.release }}{{- if .Values.extras }}+{{- end }}{{ join "+" .Values.extras }}-{{ now | date "2006-01-02" }}.tar.xz';

test("the seed's stage3 output name, with and without extras", () => {
  renders(
    [[STAGE3_NAME, 'stage3-x86-64bit-generic_64-next+freshen+media-2009-11-10.tar.xz']],
    values('arch: x86-64bit\nsubarch: generic_64\nrelease: next\nextras: [freshen, media]'),
  );
  renders([[STAGE3_NAME, 'stage3-x86-64bit-generic_64-next-2009-11-10.tar.xz']], values('arch: x86-64bit\nsubarch: generic_64\nrelease: next'));
});

test("the seed's http source: uri and target", () => {
  const v = values('release: next\narch: x86-64bit\nsubarch: generic_64');
  renders(
    [
      [
        'https://build.funtoo.org/{{ .Values.release }}/{{ .Values.arch }}/{{ .Values.subarch }}/stage3-latest.tar.xz',
        'https://build.funtoo.org/next/x86-64bit/generic_64/stage3-latest.tar.xz',
      ],
      [
        '/workspace/sourcer/{{ .Values.release }}/stage3-latest-{{ now | date "2006-01-02" }}.tar.xz',
        '/workspace/sourcer/next/stage3-latest-2009-11-10.tar.xz',
      ],
      ['{{- if .Values.purge_anise_db | default true }}purge{{ end }}', 'purge'],
    ],
    v,
  );
});

test('now is SOURCE_DATE_EPOCH when it is set', () => {
  const out = renderTemplate('{{ dateInZone "2006-01-02T15:04:05Z07:00" now "UTC" }}', { name: 'x', values: {}, now: undefined });
  assert.match(out, /^\d{4}-\d\d-\d\dT/);
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1700000000';
  try {
    assert.is(renderTemplate('{{ dateInZone "2006-01-02T15:04:05Z07:00" now "UTC" }}', { name: 'x', values: {} }), '2023-11-14T22:13:20Z');
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
  assert.ok(NOW);
});

test('the data Helm gives a template: .Values, .Chart.Name, .Template.Name', () => {
  assert.is(renderTemplate('{{ .Chart.Name }} {{ .Template.Name }} {{ .Values.a }}', { name: 'hooks/x.yml', values: values('a: 1') }), 'tpl hooks/x.yml 1');
});

test('"<no value>" never reaches the output, whatever prints it', () => {
  renders([['{{ .Values.a }}|{{ printf "%v" .Values.a }}|{{ index .Values "a" }}', '|<nil>|']], values('b: 1'));
});

test.run();
