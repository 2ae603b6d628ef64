// A package's archive as node-tar should read it: gunzipped by node:zlib's stream (on libuv's
// threads, not the event loop, as node-tar's own synchronous gunzip would), at most `maxBytes` of
// tar, and nothing after the tar's end-of-archive block: node-tar concatenates whatever follows it
// into one growing buffer, so a few KiB of gzip that inflates to megabytes of trailing zeros held
// the agent's event loop for seconds (quadratic), however small the upload.
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

/** Reads `file` (.tar.gz) as a plain tar stream, failing once it inflates past `maxBytes`. */
export function tarStream(file: string, maxBytes: number): Readable {
  const source = createReadStream(file);
  const gunzip = createGunzip();
  const tar = untilTarEnd(maxBytes, () => source.destroy());
  source.on('error', (err) => tar.destroy(err));
  gunzip.on('error', (err) => tar.destroy(err));
  return source.pipe(gunzip).pipe(tar);
}

/**
 * Passes a tar stream through up to and including its end-of-archive block (the first all-zero
 * header), then ends and calls `done` so the source can stop. Headers are followed by their data,
 * rounded up to whole blocks; pax and GNU extension entries are entries like any other here.
 */
export function untilTarEnd(maxBytes: number, done: () => void = () => {}): Transform {
  let header = Buffer.alloc(0);
  /** Bytes of the current entry's data still to pass. */
  let data = 0;
  let passed = 0;
  let ended = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (ended) return callback();
      let rest = chunk;
      while (rest.length > 0 && !ended) {
        if (data > 0) {
          const take = Math.min(data, rest.length);
          this.push(rest.subarray(0, take));
          data -= take;
          rest = rest.subarray(take);
          continue;
        }
        const need = BLOCK - header.length;
        header = Buffer.concat([header, rest.subarray(0, need)]);
        rest = rest.subarray(need);
        if (header.length < BLOCK) break;
        this.push(header);
        if (header.every((byte) => byte === 0)) {
          // A second zero block too: readers expect the two of a well-formed end.
          this.push(Buffer.alloc(BLOCK));
          ended = true;
          done();
          break;
        }
        data = Math.ceil(entrySize(header) / BLOCK) * BLOCK;
        header = Buffer.alloc(0);
      }
      passed += chunk.length - rest.length;
      if (passed > maxBytes) {
        return callback(new Error(`the archive unpacks to more than ${maxBytes} bytes`));
      }
      if (ended) this.push(null);
      callback();
    },
    flush(callback) {
      // A stream that stops inside a header: node-tar is the one to say what is wrong with it.
      if (!ended && header.length > 0) this.push(header);
      callback();
    },
  });
}

/** A tar header's size field: octal text, or base-256 when its first byte has the high bit. */
function entrySize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0] ?? 0) & 0x80) {
    let size = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) size = size * 256 + (field[i] ?? 0);
    return size;
  }
  const text = field.toString('latin1').replace(/[\0 ]+/g, '');
  return text === '' ? 0 : parseInt(text, 8) || 0;
}
