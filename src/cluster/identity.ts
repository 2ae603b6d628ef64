// The node's stable identity: an id created on first start and kept in the data dir, so the same
// machine keeps its id across restarts and store changes.
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../errors.ts';
import { isId, newId } from '../ids.ts';

export function loadNodeId(dataDir: string): string {
  const file = path.join(dataDir, 'node-id');
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AgentError(
        'INVALID_CONFIG',
        `cannot read ${file}: ${(err as Error).message}; check --data-dir permissions`,
      );
    }
  }
  if (text !== undefined) {
    if (!isId(text)) {
      throw new AgentError(
        'INVALID_CONFIG',
        `${file} holds "${text.slice(0, 40)}", not a node id; delete the file to get a new one`,
      );
    }
    return text;
  }
  const id = newId();
  mkdirSync(dataDir, { recursive: true });
  // Write then rename, so a crash never leaves a half-written id.
  writeFileSync(`${file}.tmp`, id + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return id;
}
