// cat against real special files and a real process: FIFOs, sockets and devices are refused without
// holding a libuv thread, and a process's environment is shown with its secrets masked.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConsoleDeps } from '../command.ts';
import { STATUS } from '../model.ts';
import { catCommand } from './cat.ts';
import { runCommand } from '../../../test/support/console-commands.ts';

const linux = process.platform === 'linux';
const deps = {} as ConsoleDeps; // cat reads nothing of the agent

let dir: string;
describe('cat', () => {
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cat-special-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Rejects when `p` has not settled within ms: a hung thread pool fails the test, not the run. */
  function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  describe('cat on special files', { skip: !linux && 'needs mkfifo and /proc' }, () => {
    it('refuses a FIFO, even from 6 cats at once, and file operations keep working', async () => {
      const fifo = path.join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
      // Opening a FIFO with no writer blocks a libuv thread; libuv has 4, so 6 would hang all I/O.
      const cats = Array.from({ length: 6 }, () => runCommand(catCommand, [fifo], deps));
      const results = await within(Promise.allSettled(cats), 5000, 'cat of a FIFO');
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        assert.equal(
          (r.reason as Error).message,
          `cat: ${fifo} is a FIFO (named pipe); cat reads only regular files, since reading this one could wait forever`,
        );
        assert.equal((r.reason as { statusCode: number }).statusCode, STATUS.FAILED);
      }
      const file = path.join(dir, 'after.txt');
      writeFileSync(file, 'still here');
      assert.equal(await within(readFile(file, 'utf8'), 5000, 'a readFile'), 'still here');
    });

    it('refuses a socket and a character device', async () => {
      const sock = path.join(dir, 'sock');
      const server = net.createServer().listen(sock);
      await once(server, 'listening');
      try {
        await assert.rejects(runCommand(catCommand, [sock], deps), {
          message: `cat: ${sock} is a socket; cat reads only regular files, since reading this one could wait forever`,
        });
      } finally {
        server.close();
      }
      await assert.rejects(runCommand(catCommand, ['/dev/null'], deps), {
        message:
          'cat: /dev/null is a character device; cat reads only regular files, since reading this one could wait forever',
      });
    });

    it('still reads /proc files, whose size says 0', async () => {
      const [item] = await runCommand(catCommand, ['/proc/self/status'], deps);
      assert.match(String(item?.content), /^Name:/);
    });
  });

  describe('cat of a process environment', { skip: !linux && 'needs /proc' }, () => {
    let child: ChildProcess;
    before(async () => {
      child = spawn('sleep', ['60'], {
        env: { PATH: process.env.PATH, DB_PASSWORD: 'hunter2-in-env', GREETING: 'hello world' },
        stdio: 'ignore',
      });
      // 'spawn' comes once the exec is done, so /proc/<pid>/environ is the child's own.
      await once(child, 'spawn');
    });
    after(() => {
      child.kill();
    });

    it('shows one variable a line with secret values masked, as sysenv does', async () => {
      for (const file of [
        `/proc/${child.pid}/environ`,
        `/proc/${child.pid}/task/${child.pid}/environ`,
      ]) {
        const [item] = await runCommand(catCommand, [file], deps);
        const content = String(item?.content);
        assert.ok(!content.includes('hunter2'), content);
        assert.ok(!content.includes('\0'), 'NUL separators become line breaks');
        assert.deepEqual(content.split('\n').sort(), [
          'DB_PASSWORD=***',
          'GREETING=hello world',
          `PATH=${process.env.PATH}`,
        ]);
      }
    });

    it('masks through a symlink too, /proc/self included', async () => {
      const link = path.join(dir, 'env-link');
      symlinkSync(`/proc/${child.pid}/environ`, link);
      const [item] = await runCommand(catCommand, [link], deps);
      assert.match(String(item?.content), /^DB_PASSWORD=\*\*\*$/m);
      const [self] = await runCommand(catCommand, ['/proc/self/environ'], deps);
      assert.ok(!String(self?.content).includes('\0'));
    });
  });
});
