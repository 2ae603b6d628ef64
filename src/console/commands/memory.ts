// `memory`: the agent's memory as Arthas's memory command lays it out (heap with its V8 spaces,
// non-heap, buffers) plus the host's total and free memory.
import os from 'node:os';
import v8 from 'node:v8';
import type { CommandSpec } from '../command.ts';
import type { MemoryEntry, MemoryItem } from '../items.ts';

export const memoryCommand: CommandSpec = {
  kind: 'command',
  name: 'memory',
  summary: "the agent's memory: V8 heap and spaces, rss, code, buffers",
  usage: 'memory',
  async run(ctx) {
    ctx.emit(readMemory());
  },
};

export function readMemory(): MemoryItem {
  const usage = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  const code = v8.getHeapCodeStatistics();
  const entry =
    (type: MemoryEntry['type']) =>
    (name: string, used: number, total: number, max = -1): MemoryEntry => ({
      type,
      name,
      used,
      total,
      max,
    });
  const heapEntry = entry('heap');
  const nonheapEntry = entry('nonheap');
  const bufferEntry = entry('buffer_pool');
  return {
    type: 'memory',
    memoryInfo: {
      heap: [
        heapEntry('heap', heap.used_heap_size, heap.total_heap_size, heap.heap_size_limit),
        ...v8
          .getHeapSpaceStatistics()
          .map((s) => heapEntry(s.space_name, s.space_used_size, s.space_size)),
      ],
      nonheap: [
        nonheapEntry('rss', usage.rss, usage.rss),
        nonheapEntry(
          'code_and_metadata',
          code.code_and_metadata_size + code.bytecode_and_metadata_size,
          code.code_and_metadata_size + code.bytecode_and_metadata_size,
        ),
      ],
      buffer_pool: [
        bufferEntry('external', usage.external, usage.external),
        bufferEntry('array_buffers', usage.arrayBuffers, usage.arrayBuffers),
      ],
    },
    system: { total: os.totalmem(), free: os.freemem() },
  };
}
