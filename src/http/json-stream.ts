// A JSON answer written a page at a time, for the compatible APIs that list every job and have no
// paging of their own (Cloudtask's GET /jobs, SeaTunnel's /finished-jobs): the agent holds one page
// of jobs at a time, and the event loop is free between pages (issue 25). The answer's time still
// grows with the jobs; its memory and its longest block do not.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

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
      for (const item of page.value) {
        text += comma + JSON.stringify(render(item));
        comma = ',';
      }
      yield text;
      text = '';
    }
    yield text + tail;
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(chunks()));
}
