// `heapdump [--live] [<file>]`: a V8 heap snapshot of the agent, written under the dump dir and
// downloadable from the agent (open it in Chrome DevTools' Memory tab), with Arthas's messages and
// item. V8 collects garbage before it writes, so every snapshot holds live objects only (--live is
// accepted and changes nothing).
import { access, stat } from 'node:fs/promises';
import v8 from 'node:v8';
import type { CommandSpec } from '../command.ts';
import type { HeapdumpItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { dumpFile, namedDumpFile } from './support/dump-file.ts';

export const heapdumpCommand: CommandSpec = {
  kind: 'command',
  name: 'heapdump',
  // Said up front: the only command that blocks the event loop by nature (requests, jobs and other
  // sessions all wait), so it is exempt from the agent's "no block over 50 ms" rule.
  summary:
    'write a V8 heap snapshot of the agent; blocks the whole agent while writing (seconds on a large heap)',
  usage: 'heapdump [--live] [<file>]',
  optionHelp: ['--live  only live objects (always so: V8 collects garbage first)'],
  examples: ['heapdump', 'heapdump --live before-upgrade.heapsnapshot'],
  options: { live: { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals }) {
    const [given] = positionals;
    const { dumpDir } = ctx.deps;
    const out =
      given === undefined
        ? await dumpFile(dumpDir, 'heapdump', 'heapsnapshot', Date.now())
        : await namedDumpFile(dumpDir, given, 'heapdump');
    const exists = await access(out.file).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new CommandFailure(`heap dump error: File exists: ${out.file}`, STATUS.FAILED);
    }
    ctx.emit({ type: 'message', message: `Dumping heap to ${out.file} ...` });
    // Synchronous: the agent is paused while V8 walks the heap, as a JVM is during a dump.
    const written = v8.writeHeapSnapshot(out.file);
    ctx.emit({ type: 'message', message: 'Heap dump file created' });
    const item: HeapdumpItem = {
      type: 'heapdump',
      dumpFile: written,
      live: true,
      url: out.url,
      arthasUrl: out.arthasUrl,
      size: (await stat(written)).size,
    };
    ctx.emit(item);
  },
};
