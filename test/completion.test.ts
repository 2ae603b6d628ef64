// Shell completion as a shell runs it: the script `bosun completion <shell>` prints, sourced into real
// bash, zsh and fish, calling the real `bosun` on PATH, which asks a real agent for job names.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { EXIT } from '../src/cli/exit-codes.ts';
import { BOSUN, runBosun } from './support/agent.ts';
import { apiClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

describe('bosun completion, in the shells themselves', () => {
  let agent: InProcessAgent;
  const bin = mkdtempSync(path.join(os.tmpdir(), 'bosun-completion-'));
  let env: NodeJS.ProcessEnv;

  before(async () => {
    agent = await startInProcessAgent();
    const api = apiClient(agent.url);
    for (const name of ['backup-db', 'backup-files', 'report']) {
      assert.equal((await api('POST', '/api/v1/jobs', { name, cmd: 'true' })).status, 201);
    }
    symlinkSync(BOSUN, path.join(bin, 'bosun'));
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: bin,
      BOSUN_URL: agent.url,
      BOSUN_CONFIG: '',
    };
  });
  after(async () => {
    await agent.stop();
    rmSync(bin, { recursive: true, force: true });
  });

  /** Runs `script` in `shell` and returns its stdout's lines (not blocking: the agent is in this process). */
  const run = async (shell: string, args: string[], script: string): Promise<string[]> => {
    const { stdout } = await promisify(execFile)(shell, [...args, script], { env, cwd: bin });
    return stdout.split('\n').filter((l) => l !== '');
  };

  /**
   * A completion that asks the agent, tried again while it comes back empty, as a user presses Tab
   * again: the lookup gives up after a second (src/cli/completion.ts), which a loaded machine exceeds.
   */
  const fromAgent = async (complete: () => Promise<string[]>): Promise<string[]> => {
    for (let attempt = 1; ; attempt++) {
      const lines = await complete();
      if (lines.length > 0 || attempt === 5) return lines;
    }
  };

  it('refuses a shell it has no script for as a usage error, in JSON under --json', async () => {
    const text = await runBosun(['completion', 'sh']);
    assert.equal(text.code, EXIT.USAGE);
    assert.match(text.stderr, /'sh' is invalid .* bash, zsh, fish/);
    assert.equal(text.stdout, '');
    const json = await runBosun(['completion', 'sh', '--json']);
    assert.equal(json.code, EXIT.USAGE);
    assert.equal(JSON.parse(json.stderr).error.code, 'USAGE');
  });

  it('bash: commands, then job names from the agent', async () => {
    const reply = (words: string) => {
      const list = words.split(' ');
      return run(
        'bash',
        ['-c'],
        `source <(bosun completion bash)
COMP_WORDS=(${list.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${list.length - 1}
_bosun; printf '%s\\n' "\${COMPREPLY[@]}"`,
      );
    };
    assert.deepEqual(await reply('bosun jo'), ['jobs']);
    assert.deepEqual(await fromAgent(() => reply('bosun jobs show backup-')), [
      'backup-db',
      'backup-files',
    ]);
    assert.deepEqual(await reply('bosun runs ls --state su'), ['succeeded']);
    assert.ok((await reply('bosun jobs ls --')).includes('--limit'));
  });

  it(
    'fish: the same, with descriptions',
    { skip: !has('fish') && 'fish is not installed' },
    async () => {
      const reply = (line: string) =>
        run('fish', ['--no-config', '-c'], `bosun completion fish | source; complete -C '${line}'`);
      assert.deepEqual(await fromAgent(() => reply('bosun jobs show rep')), ['report\ttrue']);
      const commands = await reply('bosun ');
      assert.ok(
        commands.some((l) => /^jobs\tlist, add, change and run/.test(l)),
        commands.join('\n'),
      );
      assert.deepEqual(await reply('bosun completion z'), ['zsh']);
    },
  );

  it(
    'zsh: the script parses and hands its words to _describe as value:description',
    { skip: !has('zsh') && 'zsh is not installed' },
    async () => {
      // zsh completes only inside its line editor; the completion system's entry points are
      // replaced by printers here, the rest is the script as a user sources it.
      const reply = (words: string) =>
        run(
          'zsh',
          ['-f', '-c'],
          `compdef() { :; }; _files() { print files; }
_describe() { print -l -- "\${(@P)4}"; }
source <(bosun completion zsh)
words=(${words}); CURRENT=\${#words}
_bosun`,
        );
      assert.deepEqual(await fromAgent(() => reply(`bosun jobs show "backup-"`)), [
        'backup-db:true',
        'backup-files:true',
      ]);
      assert.deepEqual(await reply(`bosun jobs add -f ""`), ['files']);
      assert.ok(
        (await reply(`bosun ""`)).includes(
          'serve:start the agent: HTTP API, dashboard and host monitoring on one port',
        ),
      );
    },
  );
});
