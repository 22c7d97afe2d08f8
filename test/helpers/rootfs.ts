import path from 'node:path';
import { sh } from './cli.js';

/**
 * A rootfs with every kind of entry an image must keep: directories with odd modes and
 * owners, setuid/setgid/sticky bits, symlinks, hardlinks across directories, device nodes,
 * a FIFO, nanosecond mtimes, xattrs including security.capability, and an ACL.
 */
export function makeFidelityRootfs(parent: string): string {
  const r = path.join(parent, 'rootfs');
  sh(`
    mkdir -p "${r}"/{bin,etc,dev,tmp,srv/a,srv/b,var/empty,"odd name é"}
    printf 'hello\\n' > "${r}/etc/hello"
    head -c 70000 /dev/urandom > "${r}/srv/a/blob"
    ln "${r}/srv/a/blob" "${r}/srv/b/blob-link"
    cp /bin/true "${r}/bin/suid" && chmod 4755 "${r}/bin/suid"
    cp /bin/true "${r}/bin/sgid" && chmod 2711 "${r}/bin/sgid"
    cp /bin/true "${r}/bin/capped" && setfattr -n security.capability -v 0x0100000200200000000000000000000000000000 "${r}/bin/capped"
    chmod 1777 "${r}/tmp"
    chmod 0750 "${r}/var/empty" && chown 12345:54321 "${r}/var/empty"
    echo owned > "${r}/srv/owned" && chown 4242:4343 "${r}/srv/owned" && chmod 0604 "${r}/srv/owned"
    ln -s ../etc/hello "${r}/srv/rel-link"
    ln -s /etc/hello "${r}/srv/abs-link"
    mknod "${r}/dev/null" c 1 3 && mknod "${r}/dev/loop9" b 7 9 && mkfifo "${r}/dev/fifo"
    setfattr -n user.note -v 'kept' "${r}/etc/hello"
    setfattr -n trusted.origin -v 0xdeadbeef "${r}/srv/a"
    setfacl -m u:1234:rx "${r}/srv/owned"
    echo spaced > "${r}/odd name é/file with spaces"
    truncate -s 5M "${r}/srv/sparse"
    find "${r}" -mindepth 1 -exec touch -h -d '2001-02-03 04:05:06.123456789' {} +
    touch -h -d '1999-12-31 23:59:59.5' "${r}/srv/rel-link" "${r}/etc"
  `);
  return r;
}
