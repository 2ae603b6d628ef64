import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { createPinnedClock } from '../../clock.ts';
import { AgentError } from '../../errors.ts';
import { createSqliteStore } from './sqlite-store.ts';

describe('createSqliteStore', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-sqlite-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates missing parent directories and opens the file in WAL mode', async () => {
    const path = join(dir, 'a', 'b', 'bosun.db');
    const store = createSqliteStore({ path });
    await store.migrate();
    await store.setSetting('k', 'v');
    assert.ok(existsSync(path));
    const peek = new DatabaseSync(path);
    assert.equal(peek.prepare('pragma journal_mode').get()?.journal_mode, 'wal');
    peek.close();
    await store.close();
  });

  it('works in memory', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    await store.setSetting('k', 'v');
    assert.equal(await store.getSetting('k'), 'v');
    await store.close();
  });

  it('takes every time it writes from the given clock', async () => {
    const clock = createPinnedClock(1_700_000_000_000);
    const store = createSqliteStore({ path: ':memory:', clock });
    await store.migrate();
    const node = await store.registerNode({
      id: '1',
      hostname: 'h',
      address: '127.0.0.1:8600',
      version: '0',
      pid: 1,
      labels: {},
    });
    assert.equal(node.registeredAt, 1_700_000_000_000);
    clock.advance(500);
    await store.heartbeat('1');
    assert.equal((await store.getNode('1'))?.heartbeatAt, 1_700_000_000_500);
    assert.equal(await store.now(), 1_700_000_000_500);
    await store.close();
  });

  it('refuses a database migrated by a newer bosun', async () => {
    const path = join(dir, 'newer.db');
    const store = createSqliteStore({ path });
    await store.migrate();
    const raw = new DatabaseSync(path);
    raw.exec(
      `insert into schema_migrations (version, name, applied_at) values (999, 'from the future', 0)`,
    );
    raw.close();
    await assert.rejects(store.migrate(), (err: unknown) => {
      assert.ok(err instanceof AgentError);
      assert.equal(err.code, 'STORE');
      assert.match(err.message, /schema version 999.*upgrade bosun/);
      return true;
    });
    await store.close();
  });

  it('names the path and the fix when the file cannot be opened', () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    assert.throws(
      () => createSqliteStore({ path: join(blocker, 'bosun.db') }),
      (err: unknown) => {
        assert.ok(err instanceof AgentError);
        assert.equal(err.code, 'STORE');
        assert.match(err.message, /not-a-dir.*--store or --data-dir/);
        return true;
      },
    );
  });

  it('names the missing migration when used before migrate()', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    assert.equal(await store.schemaVersion(), 0);
    await assert.rejects(store.listNodes(), /not been migrated/);
    await store.close();
  });
});
