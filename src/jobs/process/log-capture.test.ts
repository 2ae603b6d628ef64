import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogCapture, type LogChunk, type LogCaptureOptions } from './log-capture.ts';

function capture(opts: Partial<LogCaptureOptions> = {}) {
  const chunks: LogChunk[] = [];
  const cap = createLogCapture({
    capBytes: 1000,
    headBytes: 400,
    chunkBytes: 100,
    flushMs: 20,
    onChunk: (c) => chunks.push(c),
    ...opts,
  });
  const text = () => Buffer.concat(chunks.map((c) => c.data)).toString();
  return { cap, chunks, text };
}

const MARKER = /\n\[bosun: [\d,]+ bytes cut from the middle of this log\]\n/;

describe('createLogCapture', () => {
  it('passes small output through intact, with no marker', () => {
    const { cap, chunks, text } = capture();
    cap.write(Buffer.from('hello '));
    cap.write(Buffer.from('world\n'));
    assert.deepEqual(cap.end(), { bytes: 12, truncated: false });
    assert.equal(text(), 'hello world\n');
    assert.deepEqual(
      chunks.map((c) => c.seq),
      chunks.map((_, i) => i),
    );
  });

  it('keeps everything up to the cap, head streamed and the rest emitted at the end', () => {
    const { cap, chunks, text } = capture();
    const input = Buffer.alloc(1000);
    for (let i = 0; i < input.length; i++) input[i] = 97 + (i % 26);
    for (let i = 0; i < input.length; i += 37) cap.write(input.subarray(i, i + 37));
    assert.equal(Buffer.concat(chunks.map((c) => c.data)).length, 400, 'the head was streamed');
    assert.deepEqual(cap.end(), { bytes: 1000, truncated: false });
    assert.equal(text(), input.toString());
    assert.ok(chunks.every((c) => c.data.length <= 100));
  });

  it('emits whole chunks at once and the rest after flushMs', async () => {
    const { cap, chunks } = capture({ flushMs: 50 });
    cap.write(Buffer.alloc(250, 'x'));
    assert.deepEqual(
      chunks.map((c) => c.data.length),
      [100, 100],
    );
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(chunks.length, 2, 'the remainder waits for the timer');
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(
      chunks.map((c) => c.data.length),
      [100, 100, 50],
    );
    cap.write(Buffer.from('y'));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(chunks.length, 4);
    assert.equal(chunks[3]?.data.toString(), 'y');
    cap.end();
    assert.deepEqual(
      chunks.map((c) => c.seq),
      [0, 1, 2, 3],
    );
  });

  it('cuts the middle of 50 MB with cap 1 MB, keeping memory bounded', () => {
    const MiB = 1024 * 1024;
    const chunks: LogChunk[] = [];
    const cap = createLogCapture({
      capBytes: MiB,
      headBytes: 256 * 1024,
      chunkBytes: 64 * 1024,
      flushMs: 1000,
      onChunk: (c) => chunks.push(c),
    });
    const line = Buffer.from(
      '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-----\n',
    );
    const block = Buffer.concat(Array.from({ length: 1000 }, () => line)); // 68,000 bytes
    let written = 0;
    let maxHeld = 0;
    while (written < 50 * MiB) {
      cap.write(block);
      written += block.length;
      maxHeld = Math.max(maxHeld, cap.heldBytes);
    }
    const last = Buffer.from('the very last line\n');
    cap.write(last);
    written += last.length;
    assert.ok(maxHeld <= MiB, `held ${maxHeld}`);
    assert.equal(cap.bytes, written);

    assert.deepEqual(cap.end(), { bytes: written, truncated: true });
    assert.deepEqual(
      chunks.map((c) => c.seq),
      chunks.map((_, i) => i),
    );
    assert.ok(chunks.every((c) => c.data.length <= 64 * 1024));

    const markerIndex = chunks.findIndex((c) => MARKER.test(c.data.toString()));
    assert.ok(markerIndex > 0);
    const head = Buffer.concat(chunks.slice(0, markerIndex).map((c) => c.data));
    const tail = Buffer.concat(chunks.slice(markerIndex + 1).map((c) => c.data));
    assert.equal(head.length, 256 * 1024);
    assert.ok(tail.length <= MiB - 256 * 1024);
    assert.ok(
      tail.length > MiB - 256 * 1024 - line.length,
      'the tail moved at most to the next line',
    );
    assert.equal(tail[0], line[0], 'the tail starts at a line');
    assert.ok(tail.toString().endsWith('-----\nthe very last line\n'));
    const cut = Number(
      chunks[markerIndex]!.data.toString()
        .match(/[\d,]+/)![0]
        .replaceAll(',', ''),
    );
    assert.equal(head.length + cut + tail.length, written);
  });

  it('never splits a UTF-8 character at either side of the cut', () => {
    const { cap, text } = capture({ capBytes: 100, headBytes: 41, chunkBytes: 16 });
    // 'é' is 2 bytes: byte 41 falls inside one, and no newline is near the tail's start.
    cap.write(Buffer.from('é'.repeat(500)));
    assert.equal(cap.end().truncated, true);
    const out = text();
    assert.ok(!out.includes('\ufffd'), out);
    const [head, tail] = out.split(MARKER);
    assert.equal(head, 'é'.repeat(20));
    assert.ok(tail !== undefined && /^é+$/.test(tail) && tail.length >= 29);
  });

  it('ignores writes after end()', () => {
    const { cap, text } = capture();
    cap.write(Buffer.from('a'));
    cap.end();
    cap.write(Buffer.from('b'));
    assert.deepEqual(cap.end(), { bytes: 1, truncated: false });
    assert.equal(text(), 'a');
  });

  it('rejects options that make no sense', () => {
    assert.throws(() => capture({ headBytes: 2000 }), RangeError);
    assert.throws(() => capture({ chunkBytes: 0 }), RangeError);
  });
});
