import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { untilTarEnd } from './tar-stream.ts';

/** A tar header block for a file of `size` bytes (only what the tracker reads: the size). */
function header(size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write('file.txt', 0, 'latin1');
  block.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  return block;
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('untilTarEnd', () => {
  it('passes entries through and stops at the end-of-archive block, dropping what follows', async () => {
    const archive = Buffer.concat([
      header(700),
      Buffer.alloc(1024, 7), // 700 bytes of data, rounded up to two blocks
      Buffer.alloc(1024), // the end
      Buffer.alloc(16 << 20), // trailing zeros, which node-tar would concatenate quadratically
    ]);
    let stopped = false;
    const out = await collect(
      Readable.from([
        archive.subarray(0, 100),
        archive.subarray(100, 5000),
        archive.subarray(5000),
      ]).pipe(untilTarEnd(Infinity, () => (stopped = true))),
    );
    assert.equal(out.length, 512 + 1024 + 1024);
    assert.ok(out.subarray(0, 1536).equals(archive.subarray(0, 1536)));
    assert.equal(stopped, true, 'the source is told to stop');
  });

  it('reads base-256 sizes', async () => {
    const big = header(0);
    big.fill(0, 124, 136);
    big[124] = 0x80;
    big[135] = 2; // 2 bytes
    const out = await collect(
      Readable.from([Buffer.concat([big, Buffer.alloc(512, 1), Buffer.alloc(1024)])]).pipe(
        untilTarEnd(Infinity),
      ),
    );
    assert.equal(out.length, 2048);
  });

  it('fails once more than maxBytes went through', async () => {
    const stream = Readable.from([Buffer.concat([header(4096), Buffer.alloc(4096)])]).pipe(
      untilTarEnd(1000),
    );
    await assert.rejects(collect(stream), /unpacks to more than 1000 bytes/);
  });
});
