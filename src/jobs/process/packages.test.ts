import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { create, Header, type HeaderData } from 'tar';
import { AgentError } from '../../errors.ts';
import { createPackageStore, type PackageStore } from './packages.ts';

/** An upload as the HTTP route makes one: the bytes received into a temp file, then put. */
async function putBytes(store: PackageStore, jobId: string, body: Buffer) {
  return store.put(jobId, await store.receive(jobId, [body], Infinity));
}

const root = mkdtempSync(join(tmpdir(), 'bosun-packages-'));
describe('packages', () => {
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const freshDir = (): string => {
    const d = join(root, `t${n++}`);
    mkdirSync(d);
    return d;
  };

  /** A real archive made by node-tar from files written to a temp dir. */
  async function makeArchive(files: Record<string, string>): Promise<Buffer> {
    const src = freshDir();
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(src, name, '..'), { recursive: true });
      writeFileSync(join(src, name), content);
    }
    const file = join(freshDir(), 'pkg.tar.gz');
    await create({ gzip: true, cwd: src, file, portable: true }, ['.']);
    return readFileSync(file);
  }

  /** A hand-made archive, for entries no well-behaved tool writes. */
  function craftArchive(entries: (HeaderData & { body?: string })[]): Buffer {
    const blocks: Buffer[] = [];
    for (const { body = '', ...data } of entries) {
      const content = Buffer.from(body);
      const header = new Header({ mode: 0o644, mtime: new Date(0), size: content.length, ...data });
      header.encode();
      blocks.push(header.block!);
      blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return gzipSync(Buffer.concat(blocks));
  }

  async function rejectsInvalid(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof AgentError, String(err));
      assert.equal(err.code, 'INVALID_INPUT');
      assert.match(err.message, pattern);
      return true;
    });
  }

  describe('createPackageStore', () => {
    it('stores, hashes and unpacks an archive', async () => {
      const dir = freshDir();
      const store = createPackageStore(dir);
      const body = await makeArchive({ 'run.sh': 'echo hi\n', 'lib/data.txt': 'data' });
      const sha = createHash('sha256').update(body).digest('hex');
      const put = await putBytes(store, 'job1', body);
      assert.deepEqual(put, {
        sha256: sha,
        size: body.length,
        path: join(dir, 'job1', sha),
        archive: join(dir, 'job1', `${sha}.tar.gz`),
      });
      assert.equal(store.workDir('job1', sha), put.path);
      assert.equal(readFileSync(join(put.path, 'run.sh'), 'utf8'), 'echo hi\n');
      assert.equal(readFileSync(join(put.path, 'lib/data.txt'), 'utf8'), 'data');
      assert.deepEqual(readFileSync(store.archivePath('job1', sha)), body);
      assert.deepEqual(readdirSync(join(dir, 'job1')).sort(), [sha, `${sha}.tar.gz`].sort());
    });

    it('accepts links that stay inside and drops setuid bits', async () => {
      const store = createPackageStore(freshDir());
      const body = craftArchive([
        { path: 'bin/', type: 'Directory', mode: 0o755 },
        { path: 'bin/tool', type: 'File', mode: 0o4755, body: '#!/bin/sh\n' },
        { path: 'bin/up', type: 'SymbolicLink', linkpath: '../tool' },
        { path: 'tool', type: 'SymbolicLink', linkpath: 'bin/tool' },
        { path: 'copy', type: 'Link', linkpath: 'bin/tool' },
      ]);
      const { path } = await putBytes(store, 'job', body);
      assert.equal(readFileSync(join(path, 'bin/up'), 'utf8'), '#!/bin/sh\n');
      assert.equal(statSync(join(path, 'copy')).ino, statSync(join(path, 'bin/tool')).ino);
      assert.equal(statSync(join(path, 'bin/tool')).mode & 0o7000, 0);
    });

    it('rejects a body that is not gzip, naming the fix', async () => {
      const dir = freshDir();
      const store = createPackageStore(dir);
      await rejectsInvalid(
        putBytes(store, 'job', Buffer.from('PK\u0003\u0004 a zip file')),
        /not a \.tar\.gz archive \(gzip magic missing\).*application\/gzip/,
      );
      await rejectsInvalid(putBytes(store, 'job', Buffer.alloc(0)), /gzip magic missing/);
      assert.equal(existsSync(join(dir, 'job')), false, 'nothing written');
    });

    it('rejects gzip that is not a tar, and a truncated archive', async () => {
      const store = createPackageStore(freshDir());
      await rejectsInvalid(
        putBytes(store, 'job', gzipSync(Buffer.from('hello world'))),
        /not a valid \.tar\.gz/,
      );
      const good = await makeArchive({ 'a.txt': 'x'.repeat(10_000) });
      await rejectsInvalid(
        putBytes(store, 'job', good.subarray(0, good.length - 40)),
        /not a valid \.tar\.gz/,
      );
    });

    it('refuses entries that escape the package', async () => {
      const dir = freshDir();
      const store = createPackageStore(dir);
      const cases: [string, (HeaderData & { body?: string })[], RegExp][] = [
        [
          '..',
          [{ path: '../evil.txt', type: 'File', body: 'x' }],
          /"\.\.\/evil\.txt" points outside/,
        ],
        ['nested ..', [{ path: 'a/../../evil', type: 'File', body: 'x' }], /points outside/],
        ['absolute', [{ path: '/tmp/evil', type: 'File', body: 'x' }], /points outside/],
        [
          'absolute link',
          [{ path: 'l', type: 'SymbolicLink', linkpath: '/etc' }],
          /symbolic link to "\/etc"/,
        ],
        [
          'climbing link',
          [{ path: 'a/l', type: 'SymbolicLink', linkpath: '../..' }],
          /points outside/,
        ],
        [
          'write through a link',
          [
            { path: 'l', type: 'SymbolicLink', linkpath: '.' },
            { path: 'l/x', type: 'File', body: 'x' },
          ],
          /goes through or replaces a symbolic link/,
        ],
        [
          '.. after a link',
          [
            { path: 'm', type: 'SymbolicLink', linkpath: 'd/l/..' },
            { path: 'd/l', type: 'SymbolicLink', linkpath: '..' },
          ],
          /leads through symbolic link "d\/l"/,
        ],
        [
          'link to an earlier link',
          [
            { path: 'a', type: 'SymbolicLink', linkpath: 'b' },
            { path: 'c', type: 'SymbolicLink', linkpath: 'a' },
          ],
          /leads through symbolic link "a"/,
        ],
        [
          'hard link to a replaced file',
          [
            { path: 'f', type: 'File', body: 'x' },
            { path: 'f', type: 'SymbolicLink', linkpath: 'g' },
            { path: 'h', type: 'Link', linkpath: 'f' },
          ],
          /hard link/,
        ],
        [
          'hard link outside',
          [{ path: 'h', type: 'Link', linkpath: '../../etc/passwd' }],
          /hard link/,
        ],
        [
          'hard link to a link',
          [
            { path: 'd/s', type: 'SymbolicLink', linkpath: '../x' },
            { path: 'h', type: 'Link', linkpath: 'd/s' },
          ],
          /hard link/,
        ],
        [
          'device',
          [{ path: 'dev', type: 'CharacterDevice', devmaj: 1, devmin: 3 }],
          /CharacterDevice/,
        ],
        [
          'a file, then an entry inside it',
          [
            { path: 'a', type: 'File', body: 'x' },
            { path: 'a/b', type: 'File', body: 'y' },
          ],
          /"a\/b" lies inside "a", which the archive made a file/,
        ],
      ];
      for (const [name, entries, pattern] of cases) {
        await rejectsInvalid(putBytes(store, 'job', craftArchive(entries)), pattern).catch(
          (err: unknown) => {
            throw new Error(`case ${name}: ${String(err)}`);
          },
        );
      }
      assert.equal(existsSync(join(dir, 'job')), false, 'nothing written');
      assert.equal(existsSync(join(root, 'evil.txt')), false);
    });

    it('takes a small archive that inflates to a long trailer without reading past its end', async () => {
      // A few KiB of gzip: the archive, then 64 MiB of zeros after its end. node-tar alone spent
      // minutes concatenating the trailer; unpacked here, it is ignored after the end block.
      const tar = gunzipSync(await makeArchive({ 'a.txt': 'x' }));
      const body = gzipSync(Buffer.concat([tar, Buffer.alloc(64 << 20)]), { level: 9 });
      assert.ok(body.length < 200_000, `${body.length} bytes`);
      const put = await putBytes(createPackageStore(freshDir()), 'job', body);
      assert.equal(readFileSync(join(put.path, 'a.txt'), 'utf8'), 'x');
    });

    it('caps unpacked size and entry count', async () => {
      const store = createPackageStore(freshDir(), { maxUnpackedBytes: 1000, maxEntries: 5 });
      await rejectsInvalid(
        putBytes(store, 'job', await makeArchive({ big: 'x'.repeat(1001) })),
        /more than 1000 bytes/,
      );
      const many = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}`, 'x']));
      await rejectsInvalid(putBytes(store, 'job', await makeArchive(many)), /more than 5 entries/);
    });

    it('treats the same bytes again as a no-op and keeps the first copy', async () => {
      const dir = freshDir();
      const store = createPackageStore(dir);
      const body = await makeArchive({ 'a.txt': 'one' });
      const first = await putBytes(store, 'job', body);
      const marker = join(first.path, 'left-by-a-run');
      writeFileSync(marker, '');
      const [second, third] = await Promise.all([
        putBytes(store, 'job', body),
        putBytes(store, 'job', body),
      ]);
      assert.deepEqual(second, first);
      assert.deepEqual(third, first);
      assert.ok(existsSync(marker), 'the existing directory was kept');
      assert.deepEqual(
        readdirSync(join(dir, 'job')).sort(),
        [first.sha256, `${first.sha256}.tar.gz`].sort(),
      );
    });

    it('unpacks concurrent puts of the same new bytes once, leaving no temp dirs', async () => {
      const dir = freshDir();
      const store = createPackageStore(dir);
      const body = await makeArchive({ 'a.txt': 'one', 'b/c.txt': 'two' });
      const results = await Promise.all([1, 2, 3].map(() => putBytes(store, 'job', body)));
      assert.ok(results.every((r) => r.path === results[0]!.path));
      assert.equal(readFileSync(join(results[0]!.path, 'b/c.txt'), 'utf8'), 'two');
      assert.deepEqual(readdirSync(join(dir, 'job')).length, 2);
    });

    it('prunes other versions of a job and removes a job', async () => {
      const dir = freshDir();
      const store = createPackageStore(dir);
      const v1 = await putBytes(store, 'job', await makeArchive({ 'a.txt': 'v1' }));
      const v2 = await putBytes(store, 'job', await makeArchive({ 'a.txt': 'v2' }));
      const other = await putBytes(store, 'other', await makeArchive({ 'a.txt': 'v1' }));
      mkdirSync(join(dir, 'job', '.tmp-fresh')); // an upload in progress stays
      await store.prune('job', v2.sha256);
      assert.deepEqual(
        readdirSync(join(dir, 'job')).sort(),
        ['.tmp-fresh', v2.sha256, `${v2.sha256}.tar.gz`].sort(),
      );
      assert.equal(existsSync(v1.path), false);
      assert.ok(existsSync(other.path));
      await store.remove('job');
      assert.equal(existsSync(join(dir, 'job')), false);
      await store.remove('job');
      await store.prune('job', undefined);
      await store.prune('other', undefined);
      assert.deepEqual(readdirSync(join(dir, 'other')), []);
    });

    it('refuses job ids and hashes that are not safe path parts', async () => {
      const store = createPackageStore(freshDir());
      const body = await makeArchive({ a: 'a' });
      for (const bad of ['..', '.', '', 'a/b', '../x']) {
        await rejectsInvalid(putBytes(store, bad, body), /cannot name a package directory/);
      }
      assert.throws(() => store.workDir('job', '../../etc'), AgentError);
    });
  });
});
