// The package a server installs: `npm pack` (prepack builds dist/ and the dashboard) makes a tarball with
// what runs and nothing else; installed offline from the npm cache into a temporary prefix
// (`npm install -g --prefix … --offline`), its `bosun` runs on the Node 24 it brought, answers
// /healthz and runs a SQL pipeline. Slow (the install copies Node itself, ~120 MB): one file, a few
// steps.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  bundleDependencies: string[];
  bin: Record<string, string>;
};
const MINUTES = 60_000;

/** SeaTunnel's SQL form: three fake rows through a Sql transform to the console. */
const SQL_JOB = `CREATE TABLE fake WITH ('connector' = 'FakeSource', 'type' = 'source', 'row.num' = '3',
  'split.read-interval' = '0', 'schema' = '{ fields { id = int, name = string } }');
CREATE TABLE out WITH ('connector' = 'Console', 'type' = 'sink');
INSERT INTO out SELECT id, UPPER(name) AS name FROM fake WHERE id IS NOT NULL;`;

let dir: string;
let tarball: string;
/** Paths in the tarball, without its `package/` prefix. */
let entries: string[];

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-package-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** npm as the operator runs it, with the test's environment minus bosun's settings. */
function npm(args: string[], cwd: string): { status: number | null; output: string } {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('BOSUN_')) delete env[key];
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 5 * MINUTES });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}

describe('package.json', () => {
  it('bundles every dependency but Node itself, which the install brings', () => {
    assert.deepEqual(
      [...pkg.bundleDependencies].sort(),
      Object.keys(pkg.dependencies)
        .filter((name) => name !== 'node')
        .sort(),
    );
    assert.match(pkg.dependencies.node ?? '', /^\^?24/);
    assert.equal(pkg.bin.bosun, 'dist/bosun');
  });
});

describe('npm pack', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('makes a tarball with what runs and nothing else', () => {
    // prepack rebuilds web/dist here while other test files read it: scripts/build-web.ts writes each
    // file whole (a rename), so none of them sees half a file.
    const packed = npm(['pack', '--pack-destination', dir, '--silent'], ROOT);
    assert.equal(packed.status, 0, packed.output);
    tarball = path.join(dir, `bosun-${pkg.version}.tgz`);
    assert.ok(existsSync(tarball), `no ${tarball} in ${readdirSync(dir).join(', ')}`);
    // postpack cleans up: the checkout is as it was.
    assert.ok(!existsSync(path.join(ROOT, 'dist')), 'dist/ left in the checkout');

    const listed = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(listed.status, 0, listed.stderr);
    entries = listed.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^package\//, ''));
    for (const file of [
      'package.json',
      'README.md',
      'dist/bosun',
      'dist/main.js',
      'dist/agent.js',
      'dist/pipeline/engine/engine-main.js',
      'dist/jobs/process/spawn-helper.pl',
      'web/dist/index.html',
      'web/dist/app.js',
      'docs/configuration.md',
      'docs/metrics.md',
      'docs/grafana-bosun.json',
      'node_modules/fastify/package.json',
      'dist/node_modules/node-sql-parser/build/postgresql.js',
      'dist/node_modules/node-sql-parser/LICENSE',
    ]) {
      assert.ok(entries.includes(file), `the tarball lacks ${file}`);
    }
    const own = entries.filter((e) => !e.startsWith('node_modules/'));
    const strays = own.filter(
      (e) =>
        /^(src|test|bench|scripts|\.ci|web\/src|data)\//.test(e) ||
        /\.test\.(js|ts)$|\.ts$/.test(e) ||
        /(^|\/)(tsconfig\.json|eslint\.config\.js|package-lock\.json)$/.test(e),
    );
    assert.deepEqual(strays, []);
    // Node itself is not in it: the `node` dependency brings it at install. Nor the 89 MB of
    // node-sql-parser: only the grammar bosun loads, in dist/node_modules.
    assert.ok(!entries.some((e) => e.startsWith('node_modules/node/')));
    assert.ok(!entries.some((e) => e.startsWith('node_modules/node-sql-parser/')));
  });

  it('installs offline from the npm cache into a prefix, and the installed bosun serves', async (t) => {
    assert.ok(tarball !== undefined, 'npm pack failed');
    const prefix = path.join(dir, 'prefix');
    const installed = npm(
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--offline',
        // Not --allow-scripts=node: npm hands it on to the nested install that `node`'s own install
        // script runs, which refuses it. npm 11 warns about that script and runs it.
        '--no-audit',
        '--no-fund',
        tarball,
      ],
      dir,
    );
    if (installed.status !== 0 && /ENOTCACHED/.test(installed.output)) {
      t.skip(
        `the npm cache lacks Node's packages (${/request to (\S+)/.exec(installed.output)?.[1] ?? '?'}): ` +
          '.ci/run adds them with npm cache add node@24 …',
      );
      return;
    }
    assert.equal(installed.status, 0, installed.output);
    const bosun = path.join(prefix, 'bin', 'bosun');
    const packageDir = path.join(prefix, 'lib', 'node_modules', 'bosun');
    assert.ok(existsSync(bosun));

    const dataDir = path.join(dir, 'data');
    // Not the checkout's PATH: the installed bosun must find its Node by itself.
    const child = spawn(bosun, ['serve', '--port', '0', '--data-dir', dataDir], {
      cwd: dir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dir, BOSUN_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const look = () => {
          const found = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
          if (found !== undefined) resolve(found);
        };
        child.stdout.on('data', look);
        void exited.then((code) =>
          reject(new Error(`bosun exited (${code}) before listening:\n${out}`)),
        );
      });
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200, 'the dashboard is served from the package');

      // A pipeline with a Sql transform runs: its grammar is the part of node-sql-parser the package
      // carries, and the engine process starts from the package's dist/.
      const submitted = await fetch(`${url}/submit-job?format=sql&jobName=packaged`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: SQL_JOB,
      });
      const job = (await submitted.json()) as { jobId: string };
      assert.equal(submitted.status, 200, JSON.stringify(job));
      let info: { jobStatus?: string; metrics?: { SinkWriteCount?: string } } = {};
      const deadline = Date.now() + MINUTES;
      while (
        info.jobStatus !== 'FINISHED' &&
        info.jobStatus !== 'FAILED' &&
        Date.now() < deadline
      ) {
        await sleep(100);
        info = (await (await fetch(`${url}/job-info/${job.jobId}`)).json()) as typeof info;
      }
      assert.equal(info.jobStatus, 'FINISHED', JSON.stringify(info));
      assert.equal(info.metrics?.SinkWriteCount, '3');

      // The agent runs the package's JavaScript on the Node the package brought.
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      assert.equal(cmdline[0], path.join(packageDir, 'node_modules', 'node', 'bin', 'node'));
      assert.ok(cmdline.includes(path.join(packageDir, 'dist', 'main.js')), cmdline.join(' '));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, out);
  });
});
