import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../config.ts';
import { createProgram, type Invocation } from './program.ts';

/** The serve settings as `bosun serve <args>` parses and loads them. */
function serve(...args: string[]) {
  let invoked: Invocation | undefined;
  createProgram('0.0.0', (inv) => (invoked = inv)).parse(['serve', ...args], { from: 'user' });
  assert.equal(invoked?.command, 'serve');
  const flags = (invoked as Extract<Invocation, { command: 'serve' }>).flags;
  return loadConfig({ flags, env: { BOSUN_CONFIG: '' }, cwd: '/srv' });
}

describe('bosun serve flags', () => {
  it("takes a bare --arthas-port for Arthas's 8563, and a port after it", () => {
    assert.equal(serve('--arthas-port').arthasPort, 8563);
    assert.equal(serve('--arthas-port', '9563').arthasPort, 9563);
    assert.equal(serve('--arthas-port', '--port', '9000').arthasPort, 8563);
    assert.equal(serve().arthasPort, undefined);
  });
});
