// Job packages: a .tar.gz kept in chunks of a megabyte, stored and read one chunk per short
// statement, so a large package never holds a transaction or sits in memory whole.
import { AgentError } from '../../errors.ts';
import type { JobsStore } from '../store.ts';
import { idParam, num, toBuffer, toPackage } from './rows.ts';
import type { Shared } from './shared.ts';
import { one, type SqlExecutor } from './sql.ts';

export type PackagesPart = Pick<JobsStore, 'putPackage' | 'getPackage'>;

export function createPackages(db: SqlExecutor, shared: Shared): PackagesPart {
  const { forUpdate } = db.dialect;
  const { mustLoadJob, bumpGeneration } = shared;

  return {
    putPackage: async (jobId, pkg) => {
      let chunks = 0;
      let stored = 0;
      // One short transaction per chunk (see schema.ts); none for an embedded store (jobs-service).
      for await (const chunk of rechunk(pkg.pieces, PACKAGE_CHUNK_BYTES)) {
        if (chunks > 0) await nextTurn();
        const seq = chunks++;
        stored += chunk.length;
        await db.tx('store a package chunk', async (tx) => {
          await mustLoadJob(tx, jobId);
          await tx.run(
            `insert into package_chunks (job_id, sha256, seq, data) values ($1, $2, $3, $4)
             on conflict (job_id, sha256, seq) do nothing`,
            [idParam(jobId), pkg.sha256, seq, chunk],
          );
        });
      }
      return db.tx('store a package', async (tx) => {
        await mustLoadJob(tx, jobId, forUpdate);
        if (chunks > 0 && stored !== pkg.size) {
          throw new AgentError(
            'INTERNAL',
            `package of ${stored} bytes stored for job ${jobId}, ${pkg.size} announced`,
          );
        }
        const have = await one(
          tx,
          'select count(*) as n from package_chunks where job_id = $1 and sha256 = $2',
          [idParam(jobId), pkg.sha256],
        );
        if (num(have?.n) !== chunks) {
          throw new AgentError(
            'CONFLICT',
            `another upload replaced job ${jobId}'s package while this one was stored; upload it again`,
          );
        }
        await tx.run(
          `insert into packages (job_id, sha256, size, data, uploaded_at) values ($1, $2, $3, $4, $5)
           on conflict (job_id) do update set sha256 = excluded.sha256, size = excluded.size,
             data = excluded.data, uploaded_at = excluded.uploaded_at`,
          [idParam(jobId), pkg.sha256, pkg.size, Buffer.alloc(0), tx.now],
        );
        await tx.run('delete from package_chunks where job_id = $1 and sha256 <> $2', [
          idParam(jobId),
          pkg.sha256,
        ]);
        await bumpGeneration(tx);
        return { sha256: pkg.sha256, size: pkg.size, uploadedAt: tx.now };
      });
    },

    getPackage: async (jobId) => {
      const head = await db.autocommit('read a package', (tx) =>
        one(
          tx,
          'select sha256, size, uploaded_at, length(data) as inline from packages where job_id = $1',
          [idParam(jobId)],
        ),
      );
      if (head === undefined) return undefined;
      const pkg = toPackage(head);
      const read = async (label: string, sql: string, params: unknown[]): Promise<Buffer> => {
        const row = await db.autocommit(label, (tx) => one(tx, sql, params));
        if (row === undefined) {
          throw new AgentError(
            'CONFLICT',
            `job ${jobId}'s package was replaced while it was read; read it again`,
          );
        }
        return toBuffer(row.data);
      };
      async function* chunks(): AsyncGenerator<Buffer> {
        if (num(head?.inline) > 0) {
          // Stored before packages were kept in chunks.
          yield await read(
            'read a package',
            'select data from packages where job_id = $1 and sha256 = $2',
            [idParam(jobId), pkg.sha256],
          );
          return;
        }
        for (let seq = 0; seq * PACKAGE_CHUNK_BYTES < pkg.size; seq++) {
          if (seq > 0) await nextTurn();
          yield await read(
            'read a package chunk',
            'select data from package_chunks where job_id = $1 and sha256 = $2 and seq = $3',
            [idParam(jobId), pkg.sha256, seq],
          );
        }
      }
      return { ...pkg, chunks: chunks() };
    },
  };
}

/** How much of a package one row holds. */
const PACKAGE_CHUNK_BYTES = 1 << 20;

/** Pieces of any size as chunks of `size` bytes (the last one shorter). */
async function* rechunk(
  pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of pieces) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

/** Lets the event loop run between two steps of a long store operation. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
