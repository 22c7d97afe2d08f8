// Sprig's getHostByName: net.LookupHost, then one of the addresses at random, with no check
// of the lookup's error: no address makes rand.Intn(0) panic, which the template
// reports as Go does. Go's resolver on Linux reads /etc/hosts first ("files dns"); jetpack does
// too, then asks the system resolver (getent ahosts), synchronously as template functions are.
// The pick comes from the rendering's random source (random.ts: reproducible under SOURCE_DATE_EPOCH).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { templateRandom } from './random.js';

function fromHostsFile(name: string): string[] {
  let text: string;
  try {
    text = readFileSync('/etc/hosts', 'utf8');
  } catch {
    return [];
  }
  const want = name.toLowerCase().replace(/\.$/, '');
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [addr, ...names] = line.split(/\s+/);
    if (addr && names.some((n) => n.toLowerCase().replace(/\.$/, '') === want) && !out.includes(addr)) out.push(addr);
  }
  return out;
}

function fromResolver(name: string): string[] {
  if (name === '' || name.startsWith('-')) return [];
  const r = spawnSync('getent', ['ahosts', name], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return [];
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const addr = line.split(/\s+/)[0];
    if (addr && !out.includes(addr)) out.push(addr);
  }
  return out;
}

export function getHostByName(name: string): string {
  let addrs = fromHostsFile(name);
  if (addrs.length === 0) addrs = fromResolver(name);
  if (addrs.length === 0) throw new Error('invalid argument to Intn');
  return addrs[templateRandom().intn(addrs.length)];
}
