// Reads a job definition from YAML or JSON text (JSON is YAML too) and checks only what the CLI itself
// needs; the API validates the rest and names the field.
import { ClientError } from './client.ts';

/** Fields the agent keeps itself; dropped so `jobs show --json` output can be edited and re-added. */
const READ_ONLY_JOB = [
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'package',
  'nextRunAt',
  'lastRun',
];
const READ_ONLY_SCHEDULE = ['id', 'nextFireAt', 'description'];

/** Parses `text` from `source` (a file name or "stdin") into a job body for POST/PUT. */
export async function parseJobFile(text: string, source: string): Promise<Record<string, unknown>> {
  // Loaded only here, so other commands do not pay for the parser.
  const YAML = await import('yaml');
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ClientError(`${source} is not valid YAML or JSON: ${(err as Error).message.trim()}`, {
      kind: 'INVALID',
    });
  }
  if (doc === null || doc === undefined) {
    throw new ClientError(`${source} is empty: a job needs at least "name" and "cmd"`, {
      kind: 'INVALID',
    });
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ClientError(
      `${source} must hold one job, a mapping with at least "name" and "cmd" (got ${Array.isArray(doc) ? 'a list' : typeof doc})`,
      { kind: 'INVALID' },
    );
  }
  const job: Record<string, unknown> = { ...(doc as Record<string, unknown>) };
  if (typeof job.name !== 'string' || job.name.trim() === '') {
    throw new ClientError(`${source}: "name" is missing; give the job a name, e.g. name: backup`, {
      kind: 'INVALID',
    });
  }
  for (const key of READ_ONLY_JOB) delete job[key];
  if (Array.isArray(job.schedules)) {
    job.schedules = job.schedules.map((s: unknown) => {
      if (typeof s !== 'object' || s === null || Array.isArray(s)) return s;
      const copy: Record<string, unknown> = { ...(s as Record<string, unknown>) };
      for (const key of READ_ONLY_SCHEDULE) delete copy[key];
      return copy;
    });
  }
  return job;
}
