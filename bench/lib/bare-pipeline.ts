// The pipeline benchmark's baseline: a bare Node script that generates the same rows FakeSource does
// (5 columns: bigint, string, int, double, string) and writes them as JSON lines or CSV through one
// write stream, with no engine around it. `node bare-pipeline.ts <json|csv> <rows> <file>` prints
// {"rows":N,"ms":T}.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const word = () => {
  let s = '';
  for (let i = 0; i < 5; i++) s += LETTERS[Math.floor(Math.random() * LETTERS.length)];
  return s;
};

async function main(format: string, rows: number, file: string): Promise<void> {
  const started = performance.now();
  const out = createWriteStream(file);
  const BATCH = 1024;
  for (let done = 0; done < rows; done += BATCH) {
    let chunk = '';
    for (let i = 0; i < Math.min(BATCH, rows - done); i++) {
      const id = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
      const name = word();
      const age = Math.floor(Math.random() * 2_147_483_647);
      const score = Math.random() * 1e9;
      const city = word();
      chunk +=
        format === 'json'
          ? `${JSON.stringify({ id, name, age, score, city })}\n`
          : `${id},${name},${age},${score},${city}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  process.stdout.write(`${JSON.stringify({ rows, ms: performance.now() - started })}\n`);
}

const [format = 'json', rows = '2000000', file = '/dev/null'] = process.argv.slice(2);
await main(format, Number(rows), file);
