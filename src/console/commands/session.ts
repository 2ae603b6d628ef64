// `session`: this console session's id, times and consumers.
import type { CommandSpec } from '../command.ts';
import type { SessionItem } from '../items.ts';

export const sessionCommand: CommandSpec = {
  kind: 'command',
  name: 'session',
  summary: 'this session: id, pid, times and consumers',
  usage: 'session',
  async run(ctx) {
    const { session } = ctx;
    const item: SessionItem = {
      type: 'session',
      sessionId: session.id,
      pid: process.pid,
      nodeId: ctx.deps.nodeId,
      createTime: session.createTime,
      lastAccessTime: session.lastAccessTime,
      consumers: session.consumers(),
    };
    ctx.emit(item);
  },
};
