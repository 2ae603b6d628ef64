// The bosun command as a user meets it: help, version, validation errors, the token banner, graceful
// shutdown and a node id that survives restarts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.ts';
import { runBosun, startAgent } from './support/agent.ts';
import { apiClient } from './support/api.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('bosun CLI', () => {
  it('prints its version', async () => {
    const { code, stdout } = await runBosun(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), pkg.version);
  });

  it('prints help for the program and for serve', async () => {
    const top = await runBosun(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /serve/);
    const serve = await runBosun(['serve', '--help']);
    assert.equal(serve.code, 0);
    for (const flag of [
      '--bind',
      '--port',
      '--interval',
      '--token [value]',
      '--read-only',
      '--insecure',
      '--data-dir',
      '--store',
      '--config',
      'BOSUN_PORT',
    ]) {
      assert.ok(serve.stdout.includes(flag), flag);
    }
  });

  it('rejects an unknown flag with a pointer to --help', async () => {
    const { code, stderr } = await runBosun(['serve', '--prot', '1']);
    assert.notEqual(code, 0);
    assert.match(stderr, /unknown option '--prot'/);
    assert.match(stderr, /bosun --help/);
  });

  it('refuses a non-loopback bind without a token, naming the fix', async () => {
    const { code, stderr } = await runBosun(['serve', '--bind', '0.0.0.0', '--port', '0']);
    assert.equal(code, EXIT.CONFIG);
    assert.match(stderr, /refusing to listen on 0.0.0.0 without a token.*--token/);
  });

  it('names the setting in validation errors from the environment', async () => {
    const { code, stderr } = await runBosun(['serve'], { env: { BOSUN_INTERVAL: 'often' } });
    assert.equal(code, EXIT.CONFIG);
    assert.match(stderr, /BOSUN_INTERVAL: "often" is not a duration/);
  });

  it('prints a generated token once, outside the log, and accepts it', async () => {
    const agent = await startAgent({ args: ['--token'] });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const match = /generated access token: ([\w-]+)/.exec(agent.stderr());
      assert.ok(match, agent.stderr());
      const token = match[1]!;
      assert.ok(!agent.stdout().includes(token), 'the token never reaches the structured log');
      assert.equal((await fetch(`${agent.url}/api/v1/health`)).status, 401);
      assert.equal(
        (
          await fetch(`${agent.url}/api/v1/health`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
        200,
      );
    } finally {
      await agent.stop();
    }
  });

  it("runs the agent on the project's Node 24 with V8's young generation capped", async () => {
    // Without a NODE_OPTIONS of the test runner's, which would take the cap's place.
    const agent = await startAgent({ env: { NODE_OPTIONS: '' } });
    try {
      const item = await agentItem(agent.url);
      assert.match(item.versions.node, /^24\./);
      // bin/bosun's flag (see its comment), on the command line so that runs do not inherit it.
      assert.deepEqual(item.execArgv, ['--max-semi-space-size=16']);
    } finally {
      await agent.stop();
    }
  });

  it("leaves the young generation's size to NODE_OPTIONS when the caller's names one", async () => {
    const agent = await startAgent({ env: { NODE_OPTIONS: '--max-semi-space-size=4' } });
    try {
      assert.deepEqual((await agentItem(agent.url)).execArgv, []);
    } finally {
      await agent.stop();
    }
  });

  it('shuts down gracefully on SIGTERM and keeps its node id across restarts', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cli-'));
    try {
      const first = await startAgent({ dataDir });
      const id1 = readFileSync(path.join(dataDir, 'node-id'), 'utf8').trim();
      assert.equal(await first.stop(), 0);
      assert.match(first.stdout(), /"msg":"stopped"/);
      const second = await startAgent({ dataDir });
      const nodes = (await (await fetch(`${second.url}/api/v1/nodes`)).json()) as {
        nodes: Array<{ id: string; state: string }>;
      };
      assert.equal(await second.stop(), 0);
      assert.equal(readFileSync(path.join(dataDir, 'node-id'), 'utf8').trim(), id1);
      assert.deepEqual(
        nodes.nodes.map((n) => [n.id, n.state]),
        [[id1, 'up']],
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

interface AgentItem {
  type: string;
  versions: { node: string };
  execArgv: string[];
}

/** The console's `agent` item of a running agent: its Node versions and command-line flags. */
async function agentItem(url: string): Promise<AgentItem> {
  const { body } = await apiClient(url)('POST', '/api', { action: 'exec', command: 'agent' });
  assert.equal(body.state, 'SUCCEEDED');
  const item = (body.body.results as AgentItem[]).find((r) => r.type === 'agent');
  assert.ok(item, JSON.stringify(body));
  return item;
}
