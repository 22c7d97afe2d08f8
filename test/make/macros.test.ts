import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, REPO, jetpackOk, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';

const work = tempDir();
const root = path.join(work, 'store');
const base = importBusybox(root, work);
const JP = `${JETPACK} -root=${root}`;
const baseAci = path.join(work, 'base.aci');
jetpackOk(root, ['export', base, baseAci]);

/** What differs between the two makes; every case below runs with each. */
interface Flavour {
  name: string;
  command: string;
  /** The include line the Makefile ends with. */
  include: string;
  /** The lent make the build container runs, and its exit status when a recipe fails. */
  inner: string;
  failStatus: number;
  /** How long until a file written now looks newer than one written before: bmake 20200710 compares whole seconds. */
  tickMs: number;
  /** A recipe word printing variable V's value verbatim, and one printing "undefined" for an unset V. */
  quoted(v: string): string;
  undefinedWord(v: string): string;
}

const FLAVOURS: Flavour[] = [
  {
    name: 'GNU make',
    command: 'make',
    include: 'include $(or $(.jetpack.image.mk),$(shell $(or $(JETPACK),jetpack) config path.share)/jetpack.image.mk)',
    inner: '/.jetpack.tools/make',
    failStatus: 2,
    tickMs: 50,
    quoted: (v) => `'$(subst ','\\'',$(${v}))'`,
    undefinedWord: (v) => `"$(origin ${v})"`,
  },
  {
    name: 'bmake',
    command: 'bmake',
    // The line Jetpack's own image Makefiles end with.
    include: '.include <${.jetpack.image.mk:U${${JETPACK:Ujetpack} config path.share:L:sh}/jetpack.image.mk}>',
    inner: '/.jetpack.tools/bmake',
    failStatus: 1,
    tickMs: 1100,
    quoted: (v) => `\${${v}:Q}`,
    undefinedWord: (v) => `"\${${v}:Uundefined}"`,
  },
];

interface Make {
  status: number;
  out: string;
}

function imageDir(makefile: string, files: Record<string, string> = {}): string {
  const dir = tempDir('jetpack-imagedir-');
  writeFileSync(path.join(dir, 'Makefile'), makefile.replace(/^ {4}/gm, '\t'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const manifest = (name: string) => JSON.stringify({ name });

/** What the image built in `dir` holds at `file`. */
function readImageFile(dir: string, file: string): string {
  const id = readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();
  return sh(`"${JETPACK}" -root="${root}" export -flat ${id} - 2>/dev/null | tar -xOf - rootfs/${file}`);
}

function macroCases(f: Flavour): void {
  // Makes a later file change visibly newer than the stamps.
  const tick = () => sh(`sleep ${f.tickMs / 1000}`);
  const make = (dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Make => {
    const r = spawnSync(f.command, ['-C', dir, `JETPACK=${JP}`, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true', ...env } });
    return { status: r.status ?? -1, out: r.stdout + r.stderr };
  };

  test(`${f.name}: PARENT_IMAGE unset is a clear make error`, () => {
    const dir = imageDir(`build:\n    true\n${f.include}\n`);
    const r = make(dir);
    assert.is.not(r.status, 0);
    assert.match(r.out, /PARENT_IMAGE not defined\. I don't know what to do!/);
  });

  test(`${f.name}: wildcard targets: build.* from the Makefile and an included file, plus build: with its own recipe`, () => {
    const dir = imageDir(
      `PARENT_IMAGE = ${base}\ninclude extra.mk\nbuild.one:\n    echo one >> /order\nbuild.two build.three:\n    echo $@ >> /order\nbuild:\n    echo own >> /order\nprepare.host:\n    touch prepared-on-host\n${f.include}\n`,
      { 'extra.mk': 'build.extra:\n\techo extra >> /order\n', 'manifest.json': manifest('example.com/wild') },
    );
    const r = make(dir);
    assert.is(r.status, 0, r.out);
    const order = readImageFile(dir, 'order').trim().split('\n');
    assert.equal([...order].sort(), ['extra', 'one', 'build.three', 'build.two', 'own'].sort());
    assert.is(order[order.length - 1], 'own', 'the build recipe runs after its prerequisites');
    assert.ok(existsSync(path.join(dir, 'prepared-on-host')), 'prepare runs on the host');
  });

  test(`${f.name}: BUILD_VARS pass values with spaces, quotes and $ unchanged; BUILD_CP copies files in`, () => {
    const extra = path.join(work, 'extra-file.txt');
    writeFileSync(extra, 'copied\n');
    const dir = imageDir(
      `PARENT_IMAGE = ${base}\nBUILD_VARS = GREETING ODD UNSET_VAR\nGREETING = hello   spaced world\nODD = it's "quoted" $$HOME \\\\ end\nBUILD_CP = ${extra}\nbuild:\n    printf '%s|' ${f.quoted('GREETING')} ${f.quoted('ODD')} ${f.undefinedWord('UNSET_VAR')} > /vars\n    cp extra-file.txt /copied\n${f.include}\n`,
      { 'manifest.json': manifest('example.com/vars') },
    );
    const r = make(dir);
    assert.is(r.status, 0, r.out);
    assert.is(readImageFile(dir, 'vars'), `hello   spaced world|it's "quoted" $HOME \\\\ end|undefined|`);
    assert.is(readImageFile(dir, 'copied'), 'copied\n');
  });

  test(`${f.name}: manifest.json can be a rule that runs in the container after the build`, () => {
    const dir = imageDir(
      `PARENT_IMAGE = ${base}\nbuild:\n    echo 4.2 > /version\nmanifest.json:\n    printf '{"name":"example.com/ruled","labels":[{"name":"version","value":"%s"}]}' "$$(cat /version)" > $@\n${f.include}\n`,
    );
    const r = make(dir);
    assert.is(r.status, 0, r.out);
    assert.match(jetpackOk(root, ['images']), /example\.com\/ruled:4\.2,arch=amd64,os=linux/);
    assert.not.ok(existsSync(path.join(dir, 'manifest.json')), 'made in the container, not on the host');
  });

  test(`${f.name}: rebuilds when, and only when, something it depends on changed`, () => {
    const dir = imageDir(`PARENT_IMAGE = jetpack/busybox\nbuild:\n    cp data.txt /data.txt\n${f.include}\n`, {
      'data.txt': 'v1\n',
      'manifest.json': manifest('example.com/stamps'),
    });
    assert.is(make(dir).status, 0);
    const first = readFileSync(path.join(dir, 'image.aci.id'), 'utf8');
    const again = make(dir);
    assert.is(again.status, 0);
    assert.is(again.out.replace(/make(\[\d+\])?: (Entering|Leaving) directory .*\n/g, ''), '', 'a no-op make runs nothing');

    // Another image built into the store: the parent check runs, finds the same parent, no rebuild.
    tick();
    const other = imageDir(`PARENT_IMAGE = jetpack/busybox\nbuild:\n    true\n${f.include}\n`, { 'manifest.json': manifest('example.com/other') });
    assert.is(make(other).status, 0);
    assert.not.match(make(dir).out, / build -saveid=/);

    const rebuilds = (what: string, change: () => void) => {
      tick();
      change();
      const r = make(dir);
      assert.is(r.status, 0, r.out);
      assert.match(r.out, / build -saveid=/, `${what} rebuilds`);
      assert.not.match(make(dir).out, / build -saveid=/, `then nothing is left to do after: ${what}`);
    };
    rebuilds('a changed file', () => writeFileSync(path.join(dir, 'data.txt'), 'v2\n'));
    assert.is(readImageFile(dir, 'data.txt'), 'v2\n');
    rebuilds('an added file', () => writeFileSync(path.join(dir, 'new.txt'), 'new\n'));
    rebuilds('a removed file', () => sh(`rm "${dir}/new.txt"`));
    rebuilds('a changed Makefile', () => sh(`echo '# comment' >> "${dir}/Makefile"`));
    rebuilds('a new parent image', () => {
      const newer = imageDir(`PARENT_IMAGE = ${base}\nbuild:\n    echo newer > /newer\n${f.include}\n`, {
        'manifest.json': JSON.stringify({ name: 'jetpack/busybox', labels: [{ name: 'version', value: '9.9' }] }),
      });
      assert.is(make(newer).status, 0);
    });
    assert.is(readImageFile(dir, 'newer'), 'newer\n', 'built on the new parent');
    assert.is.not(readFileSync(path.join(dir, 'image.aci.id'), 'utf8'), first);
    jetpackOk(root, ['destroy-image', readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim()]);
    jetpackOk(root, ['destroy-image', 'jetpack/busybox:9.9']);
  });

  test(`${f.name}: an image the store no longer holds is built again: destroy-image, gc after it was shadowed, another store`, () => {
    // Stores of its own (gc must not collect other tests' images), each with the base and a
    // parent of one name but different content, made before the image dir's first build.
    const stores = ['a', 'b'].map((side) => {
      const store = path.join(work, `lost-${f.command}-${side}`);
      jetpackOk(store, ['import', baseAci]);
      const parentDir = imageDir('', { 'manifest.json': manifest('example.com/lost-parent') });
      const parent = jetpackOk(store, ['build', base, '/bin/sh', '-c', `echo ${side} > /parent`], { cwd: parentDir }).trim();
      return { store, parent };
    });
    const [a, b] = stores as [{ store: string; parent: string }, { store: string; parent: string }];
    const files = { 'data.txt': 'mine\n', 'manifest.json': manifest('example.com/lost') };
    const dir = imageDir(`PARENT_IMAGE = example.com/lost-parent\nbuild:\n    cp data.txt /data.txt\n${f.include}\n`, files);
    // Store a by -root in JETPACK, store b by JETPACK_ROOT: the macros ask jetpack which store it uses.
    const makeIn = (store: string, args: string[] = []): Make => {
      const jetpackVar = store === a.store ? `${JETPACK} -root=${store}` : JETPACK;
      const r = spawnSync(f.command, ['-C', dir, `JETPACK=${jetpackVar}`, ...args], {
        encoding: 'utf8',
        env: { ...process.env, CI: 'true', JETPACK_ROOT: b.store },
      });
      return { status: r.status ?? -1, out: r.stdout + r.stderr };
    };
    const imageID = () => readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();
    const stored = (store: string, id: string) => existsSync(path.join(store, 'images', id));
    assert.is(makeIn(a.store, ['aci']).status, 0);

    const rebuiltAfter = (what: string, store: string, lose: (id: string) => void) => {
      const lost = imageID();
      lose(lost);
      assert.not.ok(stored(store, lost), `${what}: the image is gone`);
      const r = makeIn(store, ['aci']);
      assert.is(r.status, 0, `${what}: ${r.out}`);
      assert.match(r.out, new RegExp(`^image\\.aci\\.id: ${lost} is not in the store ${store}: building the image again$`, 'm'), what);
      assert.match(r.out, / build -saveid=image\.aci\.id /, what);
      assert.ok(stored(store, imageID()), `${what}: built into the store in use`);
      assert.is(sh(`tar -xOf "${dir}/image.aci" rootfs/data.txt`), 'mine\n', `${what}: make aci exports the new image`);
      const again = makeIn(store, ['aci']).out;
      assert.not.match(again, / build -saveid=| export /, `${what}: then nothing is left to do: ${again}`);
    };
    rebuiltAfter('destroy-image', a.store, (id) => jetpackOk(a.store, ['destroy-image', id]));
    rebuiltAfter('gc after another build of the same name shadowed it', a.store, () => {
      const other = imageDir(`PARENT_IMAGE = example.com/lost-parent\nbuild:\n    echo other > /data.txt\n${f.include}\n`, files);
      const r = spawnSync(f.command, ['-C', other, `JETPACK=${JETPACK} -root=${a.store}`], { encoding: 'utf8' });
      assert.is(r.status, 0, r.stdout + r.stderr);
      jetpackOk(a.store, ['gc']);
    });
    rebuiltAfter('another store', b.store, () => {});
    assert.is(readFileSync(path.join(dir, '.jetpack.parent.id'), 'utf8').trim(), b.parent, 'the parent is looked up again in the other store');
  });

  test(`${f.name}: aci and flat-aci export the image; clean removes outputs and runs clean.* but never touches the store`, () => {
    const dir = imageDir(
      `PARENT_IMAGE = ${base}\nCLEAN_FILES += scratch.txt\nbuild:\n    echo x > /x\nclean.extra:\n    rm -f extra-clean-marker\n${f.include}\n`,
      {
        'manifest.json': manifest('example.com/clean'),
        'scratch.txt': 'scratch',
        'extra-clean-marker': '',
      },
    );
    assert.is(make(dir, ['aci', 'flat-aci']).status, 0);
    assert.equal(sh(`tar -tf "${dir}/image.aci"`).trim().split('\n'), ['manifest', 'rootfs/', 'rootfs/x']);
    assert.ok(sh(`tar -tf "${dir}/image.flat.aci"`).includes('rootfs/bin/busybox'));
    const before = storeState(root);
    const r = make(dir, ['clean']);
    assert.is(r.status, 0, r.out);
    for (const f of ['image.aci', 'image.aci.id', 'image.flat.aci', 'scratch.txt', 'extra-clean-marker', '.jetpack.inputs', '.jetpack.parent.id']) {
      assert.not.ok(existsSync(path.join(dir, f)), f);
    }
    assert.ok(existsSync(path.join(dir, 'Makefile')));
    assert.equal(storeState(root), before);
  });

  test(`${f.name}: JETPACK='sudo jetpack' builds as root through sudo`, () => {
    const dir = imageDir(`PARENT_IMAGE = ${base}\nbuild:\n    id -u > /uid\n${f.include}\n`, { 'manifest.json': manifest('example.com/sudo') });
    const r = spawnSync(f.command, ['-C', dir, `JETPACK=sudo ${JP}`], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^sudo ${JP} +build -saveid=image\\.aci\\.id `, 'm'));
    assert.is(readImageFile(dir, 'uid'), '0\n');
  });

  test(`${f.name}: JETPACK may name another command: every jetpack call goes through it`, () => {
    const log = path.join(work, 'wrapper.log');
    const wrapper = path.join(work, 'jetpack-wrapper');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> "${log}"\nexec "${JETPACK}" -root="${root}" "$@"\n`, { mode: 0o755 });
    const dir = imageDir(`PARENT_IMAGE = ${base}\nbuild:\n    true\n${f.include}\n`, { 'manifest.json': manifest('example.com/wrapped') });
    const r = spawnSync(f.command, ['-C', dir, `JETPACK=${wrapper}`, 'aci'], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stdout + r.stderr);
    const calls = readFileSync(log, 'utf8');
    assert.match(calls, /^config path\.share$/m);
    assert.match(calls, /^build -saveid=image\.aci\.id /m);
    assert.match(calls, /^export sha512-/m);
  });

  test(`${f.name}: a failing recipe fails make with a clear message and saves no image`, () => {
    const dir = imageDir(`PARENT_IMAGE = ${base}\nbuild:\n    echo partial > /partial\n    false\n${f.include}\n`, {
      'manifest.json': manifest('example.com/failing'),
    });
    const before = storeState(root);
    const r = make(dir);
    assert.is.not(r.status, 0);
    assert.match(r.out, `jetpack: build failed at step 4 (run the build command): ${f.inner} exited with status ${f.failStatus}`);
    assert.not.ok(existsSync(path.join(dir, 'image.aci.id')));
    assert.equal(storeState(root), before);
  });

  test(`${f.name}: no manifest.json and no rule for it, or an invalid one, fails before the build runs; one prepare writes counts`, () => {
    const before = storeState(root);
    const none = make(imageDir(`PARENT_IMAGE = ${base}\nbuild:\n    @echo BUILD RAN\n${f.include}\n`));
    assert.is.not(none.status, 0);
    assert.match(none.out, 'jetpack.image.mk: . has no manifest.json and no rule to make it: the build would fail at its end (docs/MAKE.md)\n');
    assert.not.match(none.out, /BUILD RAN|build -saveid/, 'neither the build nor jetpack build ran');
    const invalidDir = imageDir(`PARENT_IMAGE = ${base}\nbuild:\n    @echo BUILD RAN\n${f.include}\n`, {
      'manifest.json': JSON.stringify({ name: 'example.com/x', app: { group: '0' } }),
    });
    const invalid = make(invalidDir);
    assert.is.not(invalid.status, 0);
    assert.match(invalid.out, `jetpack: build not started: ${invalidDir}/manifest.json: invalid image manifest: app.user: required\n`);
    assert.not.match(invalid.out, /BUILD RAN/);
    assert.equal(storeState(root), before);
    const prepared = imageDir(
      `PARENT_IMAGE = ${base}\nprepare.manifest:\n    printf '%s' '${manifest('example.com/prepared')}' > manifest.json\n${f.include}\n`,
    );
    const r = make(prepared);
    assert.is(r.status, 0, r.out);
    assert.match(jetpackOk(root, ['images']), /example\.com\/prepared/);
  });

  test(`${f.name}: PKG_INSTALL on an image without a known package manager says so`, () => {
    const dir = imageDir(`PARENT_IMAGE = ${base}\nPKG_INSTALL = curl\n${f.include}\n`, { 'manifest.json': manifest('example.com/pkg') });
    const r = make(dir);
    assert.is.not(r.status, 0);
    assert.match(r.out, /PKG_INSTALL: no package manager known for ID=busybox/);
  });

  test(`${f.name}: PKG_INSTALL runs the parent's own package manager, chosen by ID and ID_LIKE in os-release`, () => {
    // Stand-in package managers that log their calls: this checks the macro's choice and
    // command lines, on bases made from busybox (no Alpine or Fedora image is reachable here).
    const cases: Array<[string, string, string]> = [
      ['ID=alpine', 'apk', 'apk add --no-cache curl jq\n'],
      ['ID=fedora', 'dnf', 'dnf install -y curl jq\ndnf clean all\n'],
      ['ID=rocky\nID_LIKE="rhel centos fedora"', 'dnf', 'dnf install -y curl jq\ndnf clean all\n'],
      ['ID=ubuntu\nID_LIKE=debian', 'apt-get', 'apt-get update -q\napt-get install -y -q --no-install-recommends curl jq\napt-get clean\n'],
    ];
    for (const [osRelease, tool, expected] of cases) {
      const fake = `mkdir -p /usr/local/bin && printf '%s\\n' '#!/bin/sh' 'echo "\${0##*/} $*" >> /pm.log' > /usr/local/bin/${tool} && chmod +x /usr/local/bin/${tool} && printf '${osRelease}\\n' > /etc/os-release`;
      const parentDir = tempDir('jetpack-fakedistro-');
      writeFileSync(path.join(parentDir, 'manifest.json'), manifest(`example.com/fake-${tool}`));
      const parent = jetpackOk(root, ['build', base, '/bin/sh', '-ec', fake], { cwd: parentDir }).trim();
      const dir = imageDir(`PARENT_IMAGE = ${parent}\nPKG_INSTALL = curl jq\n${f.include}\n`, { 'manifest.json': manifest('example.com/pkg') });
      const r = make(dir);
      assert.is(r.status, 0, r.out);
      assert.is(readImageFile(dir, 'pm.log'), expected, osRelease);
    }
  });

  test(`${f.name}: Makefile.template builds as it is, with the include line it names for this make`, () => {
    const dir = tempDir('jetpack-template-');
    const template = readFileSync(path.join(REPO, 'Makefile.template'), 'utf8');
    const lines = template.trimEnd().split('\n');
    assert.is(lines.at(-1), FLAVOURS[0].include);
    assert.is(lines.at(-2), `# ${FLAVOURS[1].include}`);
    writeFileSync(path.join(dir, 'Makefile'), f === FLAVOURS[0] ? template : [...lines.slice(0, -2), f.include, ''].join('\n'));
    writeFileSync(path.join(dir, 'manifest.json'), manifest('example.com/template'));
    const r = make(dir);
    assert.is(r.status, 0, r.out);
    assert.is(readImageFile(dir, 'etc/motd'), 'built by jetpack\n');
  });
}

for (const flavour of FLAVOURS) macroCases(flavour);

test.after(() => removeDir(work));
test.run();
