// Parser for /proc/self/mounts that keeps the real filesystems: no pseudo, memory or network filesystems
// (a dead NFS server would hang statfs), one row per device, and the root mount first.

export interface MountEntry {
  device: string;
  mount: string;
  fstype: string;
  readonly: boolean;
}

const SKIPPED_FSTYPES = new Set([
  'proc',
  'sysfs',
  'tmpfs',
  'ramfs',
  'devtmpfs',
  'devpts',
  'securityfs',
  'pstore',
  'bpf',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'fuse',
  'mqueue',
  'hugetlbfs',
  'binfmt_misc',
  'autofs',
  'rpc_pipefs',
  'efivarfs',
  'selinuxfs',
  'nsfs',
  'rootfs',
  'overlay',
  'aufs',
  'squashfs',
  'cifs',
  'smb3',
  'smbfs',
  'ceph',
  'glusterfs',
  'lustre',
  'afs',
  '9p',
  'virtiofs',
]);

/** Whether a filesystem type is skipped unless it is mounted at / (overlay is the root of a container). */
export function isSkippedFstype(fstype: string): boolean {
  return (
    SKIPPED_FSTYPES.has(fstype) ||
    fstype.startsWith('cgroup') ||
    fstype.startsWith('nfs') ||
    fstype.startsWith('fuse.')
  );
}

/** The kernel escapes space, tab, newline and backslash in mount paths as \ooo octal. */
function unescapeOctal(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\([0-7]{3})/g, (_, code: string) =>
    String.fromCharCode(parseInt(code, 8)),
  );
}

export function parseMounts(text: string): MountEntry[] {
  // A later line over-mounts an earlier one at the same path, so the last entry per path wins.
  const byPath = new Map<string, MountEntry>();
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (
      f.length < 4 ||
      f[0] === undefined ||
      f[1] === undefined ||
      f[2] === undefined ||
      f[3] === undefined
    ) {
      continue;
    }
    const mount = unescapeOctal(f[1]);
    const fstype = f[2];
    if (mount !== '/' && isSkippedFstype(fstype)) continue;
    const readonly = f[3] === 'ro' || f[3].startsWith('ro,');
    byPath.delete(mount);
    byPath.set(mount, { device: unescapeOctal(f[0]), mount, fstype, readonly });
  }

  const root = byPath.get('/') ?? {
    device: 'rootfs',
    mount: '/',
    fstype: 'rootfs',
    readonly: false,
  };
  byPath.delete('/');
  // One row per device: bind mounts and btrfs subvolumes show the same figures; keep the shortest path.
  const byDevice = new Map<string, MountEntry>();
  for (const entry of byPath.values()) {
    if (entry.device === root.device) continue;
    const seen = byDevice.get(entry.device);
    if (!seen || entry.mount.length < seen.mount.length) byDevice.set(entry.device, entry);
  }
  const rest = [...byDevice.values()].sort((a, b) =>
    a.mount < b.mount ? -1 : a.mount > b.mount ? 1 : 0,
  );
  return [root, ...rest];
}
