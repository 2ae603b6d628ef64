// `heapdump`: a V8 heap snapshot of the agent, written under the dump dir and downloadable from the
// agent (open it in Chrome DevTools' Memory tab).
import { stat } from 'node:fs/promises';
import v8 from 'node:v8';
import type { CommandSpec } from '../command.ts';
import type { HeapdumpItem } from '../items.ts';
import { dumpFile } from './support/dump-file.ts';

export const heapdumpCommand: CommandSpec = {
  kind: 'command',
  name: 'heapdump',
  // Said up front: the only command that blocks the event loop by nature (requests, jobs and other
  // sessions all wait), so it is exempt from the agent's "no block over 50 ms" rule.
  summary:
    'write a V8 heap snapshot of the agent; blocks the whole agent while writing (seconds on a large heap)',
  usage: 'heapdump',
  async run(ctx) {
    const { file, url } = await dumpFile(ctx.deps.dumpDir, 'heapdump', 'heapsnapshot', Date.now());
    // Synchronous: the agent is paused while V8 walks the heap, as a JVM is during a dump.
    const written = v8.writeHeapSnapshot(file);
    const item: HeapdumpItem = {
      type: 'heapdump',
      dumpFile: written,
      // V8 collects garbage before it writes a snapshot: only live objects are in it.
      live: true,
      url,
      size: (await stat(written)).size,
    };
    ctx.emit(item);
  },
};
