import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discoveryUrls, expandTemplate, parseMetaTags, templateValues } from '../../src/fetch/discovery.js';
import { covers } from '../../src/fetch/trust-store.js';
import { parseImageQuery } from '../../src/image/name.js';

test('meta tags: any attribute order and quoting, entities decoded, comments and other tags ignored', () => {
  const html = `<html><head>
    <meta name="ac-discovery" content="example.com/ https://example.com/{name}-{version}.{ext}">
    <meta content='example.com/app https://mirror.example.com/?file={name}&amp;v={version}.{ext}' name='ac-discovery'/>
    <!-- <meta name="ac-discovery" content="example.com/ https://old.example.com/{name}.{ext}"> -->
    <META NAME=ac-discovery-pubkeys CONTENT="example.com/ https://example.com/key.asc">
    <meta name="description" content="not for discovery">
    <meta name="ac-discovery" content="one-field-only">
  </head></html>`;
  assert.equal(parseMetaTags(html), [
    { name: 'ac-discovery', prefix: 'example.com/', url: 'https://example.com/{name}-{version}.{ext}' },
    { name: 'ac-discovery', prefix: 'example.com/app', url: 'https://mirror.example.com/?file={name}&v={version}.{ext}' },
    { name: 'ac-discovery-pubkeys', prefix: 'example.com/', url: 'https://example.com/key.asc' },
  ]);
});

test('templates: name, version defaulting to latest, os, arch and other labels; a {label} left unfilled skips the template', () => {
  const values = templateValues(parseImageQuery('example.com/app,variant=slim'));
  assert.is(values.get('version'), 'latest');
  assert.is(expandTemplate('https://h/{name}-{version}-{os}-{arch}-{variant}.aci', values), `https://h/example.com/app-latest-linux-amd64-slim.aci`);
  assert.is(expandTemplate('https://h/{name}-{flavour}.aci', values), undefined);
  assert.is(expandTemplate('https://h/{name}:{version}.aci', templateValues(parseImageQuery('example.com/app:1.2'))), 'https://h/example.com/app:1.2.aci');
});

test('the discovery walk goes up the name; http only when allowed, after https', () => {
  assert.equal(discoveryUrls('example.com/a/b', false), [
    'https://example.com/a/b?ac-discovery=1',
    'https://example.com/a?ac-discovery=1',
    'https://example.com?ac-discovery=1',
  ]);
  assert.equal(discoveryUrls('example.com', true), ['https://example.com?ac-discovery=1', 'http://example.com?ac-discovery=1']);
});

test('a trusted prefix covers whole path components only; @ covers everything', () => {
  assert.ok(covers('example.com/', 'example.com/foo'));
  assert.not.ok(covers('example.com/', 'example.org/foo'));
  assert.ok(covers('example.com/app', 'example.com/app'));
  assert.ok(covers('example.com/app', 'example.com/app/tool'));
  assert.not.ok(covers('example.com/app', 'example.com/apps'));
  assert.not.ok(covers('example.com', 'example.community/x'));
  assert.ok(covers('@', 'anything.org/x'));
});

test.run();
