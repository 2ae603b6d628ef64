// The jobs core's events as the native stream sends them: each event rendered to JSON once for every
// client, run events with their job's name (the core's events carry only the job id), in the order the
// core published them.
import type { JobsEvent, JobsEvents } from '../../jobs/events.ts';
import { runJson } from './job-json.ts';

/** Receives each event's type and its JSON text. */
export type FeedClient = (type: JobsEvent['type'], json: string) => void;

export interface EventFeed {
  subscribe(client: FeedClient): () => void;
}

/** Names kept for run events; past this the cache starts again (names are re-read on demand). */
const MAX_NAMES = 10_000;

export function createEventFeed(
  events: JobsEvents,
  /** The job's name, or undefined when it is gone; read only for a job not seen before. */
  jobName: (jobId: string) => Promise<string | undefined>,
): EventFeed {
  const clients = new Set<FeedClient>();
  const names = new Map<string, string>();
  // Events wait behind a name lookup in progress, so clients see them in the order they happened.
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;

  const remember = (jobId: string, name: string): void => {
    if (names.size >= MAX_NAMES) names.clear();
    names.set(jobId, name);
  };

  const deliver = (event: JobsEvent, name: string | undefined): void => {
    const json = JSON.stringify(
      event.type === 'run' ? { type: 'run', run: runJson(event.run, name) } : event,
    );
    for (const client of clients) client(event.type, json);
  };

  events.subscribe((event) => {
    if (event.type === 'job') {
      if (event.action === 'deleted') names.delete(event.job.id);
      else remember(event.job.id, event.job.name);
    }
    if (clients.size === 0) return;
    const known = event.type === 'run' ? names.get(event.run.jobId) : undefined;
    if (waiting === 0 && (event.type === 'job' || known !== undefined)) {
      deliver(event, known);
      return;
    }
    waiting += 1;
    queue = queue.then(async () => {
      let name = known;
      if (event.type === 'run' && name === undefined) {
        name =
          names.get(event.run.jobId) ?? (await jobName(event.run.jobId).catch(() => undefined));
        if (name !== undefined) remember(event.run.jobId, name);
      }
      waiting -= 1;
      deliver(event, name);
    });
    // Clients guard their own writes; a throw here must not stop the queue for every later event.
    queue = queue.catch(() => {});
  });

  return {
    subscribe(client) {
      clients.add(client);
      return () => clients.delete(client);
    },
  };
}
