// A JSON answer written a page at a time, for the compatible APIs that list every job and have no
// paging of their own (Cloudtask's GET /jobs, SeaTunnel's /finished-jobs): the agent holds one page
// of jobs at a time, and the event loop is free between pages (issue 25). The answer's time still
// grows with the jobs; its memory and its longest block do not.
import { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';

/** The longest the answer renders items before it lets other work run, ms. */
const RENDER_SLICE_MS = 5;

/**
 * Sends `head`, then every item of every page as JSON, comma-separated, then `tail`: `head` and
 * `tail` are the JSON around the array (`{"data":[` and `]}`). The first page is read before the
 * status is sent, so a store error before it is an ordinary error answer; one after it cuts the
 * answer short (a client sees invalid JSON rather than a partial list it could take as whole).
 */
export async function sendJsonPages<T>(
  reply: FastifyReply,
  head: string,
  pages: AsyncIterator<readonly T[]>,
  render: (item: T) => unknown,
  tail: string,
): Promise<FastifyReply> {
  const first = await pages.next();
  async function* chunks(): AsyncGenerator<string> {
    let text = head;
    let comma = '';
    for (let page = first; page.done !== true; page = await pages.next()) {
      let sliceFrom = performance.now();
      for (const item of page.value) {
        text += comma + JSON.stringify(render(item));
        comma = ',';
        // A page of heavy items (a SeaTunnel job with its DAG) is rendered in slices, with the
        // event loop free between two, as the pages are read.
        if (performance.now() - sliceFrom > RENDER_SLICE_MS) {
          yield text;
          text = '';
          await setImmediate();
          sliceFrom = performance.now();
        }
      }
      if (text !== '') yield text;
      text = '';
    }
    yield text + tail;
  }
  // One page read ahead, not Readable.from's 16: a slow reader holds two pages of the agent's
  // memory rather than 35 MB of a 100,000-job answer, and fewer live pages make shorter GC pauses.
  return reply
    .type('application/json; charset=utf-8')
    .send(Readable.from(chunks(), { highWaterMark: 1 }));
}
