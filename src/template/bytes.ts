/*
 * Go strings are bytes and may hold invalid UTF-8 (`substr 0 1 "é"`); JavaScript strings are
 * UTF-16. Between the two, as Python's "surrogateescape" does, a byte that is not part of valid
 * UTF-8 is kept as the lone surrogate U+DC80–U+DCFF, so bytes → text → bytes gives the same
 * bytes back (`substr 0 1 "é" | b64enc` is `ww==` as in Go). Printed, such a byte should be
 * written as the raw byte (the executor's business); Go's JSON and %q show U+FFFD for it.
 */

/** The bytes of a Go string: UTF-8, with U+DC80–U+DCFF standing for the raw bytes 0x80–0xFF. */
export function bytesOf(s: string): Uint8Array {
  if (!/[\udc80-\udcff]/.test(s)) return Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xdc80 && c <= 0xdcff) out.push(c - 0xdc00);
    else for (const b of Buffer.from(ch, 'utf8')) out.push(b);
  }
  return Uint8Array.from(out);
}

/** Bytes as a string: valid UTF-8 decoded, every other byte kept as U+DC80–U+DCFF (utf8.DecodeRune's width-1 error). */
export function stringOfBytes(b: Uint8Array): string {
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  if (!text.includes('\ufffd')) return text;
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n > 1) {
      const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (i + n > b.length || b[i + 1] < lo || b[i + 1] > hi) n = 0;
      for (let k = 2; n && k < n; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) n = 0;
    }
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + c);
      i++;
    } else {
      out += Buffer.from(b.subarray(i, i + n)).toString('utf8');
      i += n;
    }
  }
  return out;
}
