// Runs one client command (jobs, runs, logs) against an agent's native API and returns the exit code.
// Everything outside the process (env, streams, stdin, clock, fetch) comes in through ClientIo, so
// main.ts stays the only place that reads process state.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineFormat } from '../model/jobs.ts';
import { formatOfFile, pipelineStructure } from '../pipeline/config/pipeline-config.ts';
import { catalog } from '../pipeline/connectors/catalog.ts';
import { FINAL_RUN_STATES, type ApiJob, type ApiRun } from './api-types.ts';
import { ClientError, createClient, resolveConnection, type ApiClient } from './client.ts';
import { execCommand, runConsole, type ConsoleIo } from './console-client.ts';
import { errorText, EXIT } from './exit-codes.ts';
import { parseJobFile } from './job-file.ts';
import type { ClientCommandName, ClientFlags } from './program.ts';
import { formatLocalTime, formatRelative } from './relative-time.ts';
import { renderTable } from './table.ts';
import { jobDetail, jobsTable, runDetail, runsTable, type ViewOptions } from './views.ts';

/** Jobs per page of `bosun jobs ls`, and the most the agent gives in one. */
const JOBS_PAGE = 50;
const JOBS_PAGE_MAX = 1000;

export interface Output {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
}

export interface ClientIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: Output;
  stderr: Output;
  readStdin(): Promise<string>;
  now(): number;
  fetch?: typeof fetch;
  /** For the interactive console. */
  stdin?: NodeJS.ReadableStream;
  /** Registers what Ctrl-C does; returns a function that unregisters it. */
  onInterrupt?(handler: () => void): () => void;
}

/** How long `--follow` waits for the run's final state once its log has ended. */
const SETTLE_TIMEOUT_MS = 10_000;
const SETTLE_POLL_MS = 100;

interface Ctx {
  client: ApiClient;
  io: ClientIo;
  flags: ClientFlags;
  view: ViewOptions;
  print(text: string): void;
  printJson(value: unknown): void;
}

export async function runClientCommand(
  name: ClientCommandName,
  args: readonly string[],
  flags: ClientFlags,
  io: ClientIo,
): Promise<number> {
  try {
    const client = createClient(resolveConnection(flags, io.env), io.fetch);
    const ctx: Ctx = {
      client,
      io,
      flags,
      view: {
        nowMs: io.now(),
        color: Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb',
      },
      print: (text) => io.stdout.write(text),
      printJson: (value) => io.stdout.write(JSON.stringify(value, null, 2) + '\n'),
    };
    return await COMMANDS[name](ctx, args[0] ?? '');
  } catch (err) {
    if (!(err instanceof ClientError)) throw err;
    io.stderr.write(errorText(err.message, err.code ?? err.kind, EXIT[err.kind], flags.json));
    return EXIT[err.kind];
  }
}

type Handler = (ctx: Ctx, arg: string) => Promise<number>;

const consoleIo = (io: ClientIo): ConsoleIo => ({
  stdin: io.stdin ?? process.stdin,
  stdout: io.stdout as ConsoleIo['stdout'],
  stderr: io.stderr as ConsoleIo['stderr'],
  onInterrupt: io.onInterrupt ?? (() => () => {}),
});

/** A pipeline run: its id on stdout, or its output (and progress on a terminal) until it ends. */
async function startedPipeline(ctx: Ctx, run: ApiRun, what: string): Promise<number> {
  if (ctx.flags.json) {
    ctx.printJson(run);
    return 0;
  }
  if (!ctx.flags.follow) {
    ctx.print(`${run.id}\n`);
    ctx.io.stderr.write(`bosun: ${what}: run ${run.id}; follow it with: bosun logs ${run.id} -f\n`);
    return 0;
  }
  ctx.io.stderr.write(
    `bosun: ${what}: run ${run.id}; following it (Ctrl-C stops following, not the run)\n`,
  );
  const progress = ctx.io.stderr.isTTY
    ? setInterval(() => {
        void ctx.client.request<ApiRun>('GET', `/api/v1/runs/${run.id}`).then(
          (r) => {
            const m = (r.metrics ?? {}) as Record<string, number>;
            ctx.io.stderr.write(
              `\r\x1b[2Kread ${m.SourceReceivedCount ?? 0} rows, wrote ${m.SinkWriteCount ?? 0} (${Math.round(m.SinkWriteQPS ?? 0)} rows/s)`,
            );
          },
          () => {},
        );
      }, 1000)
    : undefined;
  try {
    return await followRun(ctx, run.id);
  } finally {
    clearInterval(progress);
    if (ctx.io.stderr.isTTY) ctx.io.stderr.write('\r\x1b[2K');
  }
}

const COMMANDS: Readonly<Record<ClientCommandName, Handler>> = {
  submit: async (ctx, file) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ClientError(`cannot read ${file}: ${(err as Error).message}`, {
        kind: 'NOT_FOUND',
      });
    }
    const format = formatOfFile(file);
    const name =
      ctx.flags.name ?? configJobName(text, format) ?? path.basename(file).replace(/\.[^.]+$/, '');
    const { job, created } = await upsertJob(ctx.client, name, {
      kind: 'pipeline',
      pipeline: { format, config: text },
    });
    const run = await ctx.client.request<ApiRun>('POST', `/api/v1/jobs/${job.id}/run`);
    return startedPipeline(
      ctx,
      run,
      `${created ? 'created' : 'replaced'} pipeline ${job.name} (id ${job.id})`,
    );
  },

  stop: async (ctx, ref) => {
    const query = ctx.flags.savepoint ? '?savepoint=true' : '';
    const { runs } = await ctx.client.request<{ runs: ApiRun[] }>(
      'POST',
      `/api/v1/jobs/${encodeURIComponent(ref)}/stop${query}`,
    );
    if (runs.length === 0) {
      throw new ClientError(`job ${ref} has no running run; see: bosun runs ls --job ${ref}`);
    }
    if (ctx.flags.json) ctx.printJson({ runs });
    else {
      const ids = runs.map((r) => r.id).join(', ');
      ctx.print(
        `stopping run${runs.length > 1 ? 's' : ''} ${ids}${ctx.flags.savepoint ? ' with a savepoint; resume it with: bosun resume ' + ref : ''}\n`,
      );
    }
    return 0;
  },

  resume: async (ctx, ref) => {
    const id = await jobId(ctx.client, ref);
    const run = await ctx.client.request<ApiRun>('POST', `/api/v1/jobs/${id}/run?resume=true`);
    return startedPipeline(ctx, run, `resumed ${ref}`);
  },

  exec: (ctx, command) => execCommand(ctx.client, command, consoleIo(ctx.io)),
  console: (ctx) =>
    runConsole(
      ctx.client,
      ctx.flags.session === undefined ? {} : { join: ctx.flags.session },
      consoleIo(ctx.io),
    ),
  'jobs ls': async (ctx) => {
    // A page at a time (the agent answers a page in the same time whatever its number of jobs);
    // --all follows the cursors.
    if (ctx.flags.limit !== undefined && ctx.flags.limit > JOBS_PAGE_MAX) {
      throw new ClientError(`--limit is at most ${JOBS_PAGE_MAX}; use --all for every job`, {
        kind: 'USAGE',
      });
    }
    const jobs: ApiJob[] = [];
    let cursor: string | null = ctx.flags.cursor ?? null;
    do {
      const query = new URLSearchParams({ limit: String(ctx.flags.limit ?? JOBS_PAGE) });
      if (ctx.flags.name) query.set('name', ctx.flags.name);
      if (cursor !== null) query.set('cursor', cursor);
      const page: { jobs: ApiJob[]; nextCursor: string | null } = await ctx.client.request(
        'GET',
        `/api/v1/jobs?${query}`,
      );
      if (ctx.flags.all && !ctx.flags.json && page.jobs.length > 0) {
        // Printed as it comes: the first rows show before the last page is read.
        ctx.print(jobsTable(page.jobs, ctx.view));
      } else {
        jobs.push(...page.jobs);
      }
      cursor = page.nextCursor;
    } while (ctx.flags.all && cursor !== null);
    if (ctx.flags.json) {
      ctx.printJson({ jobs, nextCursor: cursor });
    } else if (ctx.flags.all) {
      return 0;
    } else if (jobs.length === 0) {
      ctx.print(
        ctx.flags.name || ctx.flags.cursor
          ? 'no jobs\n'
          : 'no jobs yet; add one with: bosun jobs add -f job.yaml\n',
      );
    } else {
      ctx.print(jobsTable(jobs, ctx.view));
      if (cursor !== null) {
        const name = ctx.flags.name ? ` --name ${JSON.stringify(ctx.flags.name)}` : '';
        ctx.io.stderr.write(`more: bosun jobs ls${name} --cursor ${cursor} (or --all)\n`);
      }
    }
    return 0;
  },

  'jobs show': async (ctx, ref) => {
    const job = await getJob(ctx.client, ref);
    if (ctx.flags.json) {
      ctx.printJson(job);
      return 0;
    }
    const { runs } = await ctx.client.request<{ runs: ApiRun[] }>(
      'GET',
      `/api/v1/runs?jobId=${encodeURIComponent(job.id)}&limit=5`,
    );
    ctx.print(jobDetail(job, runs, ctx.view));
    return 0;
  },

  'jobs add': async (ctx) => {
    const file = ctx.flags.file ?? '-';
    const source = file === '-' ? 'stdin' : file;
    let text: string;
    try {
      text = file === '-' ? await ctx.io.readStdin() : await readFile(file, 'utf8');
    } catch (err) {
      throw new ClientError(`cannot read ${source}: ${(err as Error).message}`, {
        kind: 'NOT_FOUND',
      });
    }
    const body = await parseJobFile(text, source);
    const { job, created } = ctx.flags.update
      ? await upsertJob(ctx.client, String(body.name), body)
      : { job: await ctx.client.request<ApiJob>('POST', '/api/v1/jobs', body), created: true };
    if (ctx.flags.json) {
      ctx.printJson(job);
      return 0;
    }
    const next =
      job.enabled && job.nextRunAt
        ? `next run ${formatRelative(Date.parse(job.nextRunAt), ctx.view.nowMs)}`
        : job.enabled
          ? `no scheduled run; start it with: bosun jobs run ${job.name}`
          : 'disabled';
    ctx.print(`${created ? 'created' : 'updated'} job ${job.name} (id ${job.id}): ${next}\n`);
    return 0;
  },

  'jobs rm': async (ctx, ref) => {
    const job = await getJob(ctx.client, ref);
    await ctx.client.request('DELETE', `/api/v1/jobs/${job.id}`);
    ctx.print(`deleted job ${job.name} (id ${job.id})\n`);
    return 0;
  },

  'jobs enable': (ctx, ref) => setEnabled(ctx, ref, true),
  'jobs disable': (ctx, ref) => setEnabled(ctx, ref, false),

  'jobs run': async (ctx, ref) => {
    const id = await jobId(ctx.client, ref);
    const run = await ctx.client.request<ApiRun>('POST', `/api/v1/jobs/${id}/run`);
    if (!ctx.flags.follow) {
      if (ctx.flags.json) ctx.printJson(run);
      else ctx.print(`${run.id}\n`);
      return 0;
    }
    // stdout carries only the job's output while following, so it can be piped.
    ctx.io.stderr.write(
      `bosun: run ${run.id} started; following its log (Ctrl-C stops following, not the run)\n`,
    );
    return followRun(ctx, run.id);
  },

  'jobs next': async (ctx, ref) => {
    const id = await jobId(ctx.client, ref);
    const count = ctx.flags.count ?? 5;
    const answer = await ctx.client.request<{ times: string[] }>(
      'GET',
      `/api/v1/jobs/${id}/next?count=${count}`,
    );
    if (ctx.flags.json) {
      ctx.printJson(answer);
    } else if (answer.times.length === 0) {
      ctx.print('no upcoming runs (no enabled schedule will fire again, or the job is disabled)\n');
    } else {
      const rows = answer.times.map((iso) => {
        const t = Date.parse(iso);
        return [formatLocalTime(t, ctx.view.timeZone), iso, formatRelative(t, ctx.view.nowMs)];
      });
      ctx.print(renderTable(['LOCAL TIME', 'UTC', 'IN'], rows));
    }
    return 0;
  },

  'runs ls': async (ctx) => {
    const query = new URLSearchParams();
    if (ctx.flags.job) query.set('jobId', await jobId(ctx.client, ctx.flags.job));
    if (ctx.flags.state) query.set('state', ctx.flags.state);
    if (ctx.flags.limit !== undefined) query.set('limit', String(ctx.flags.limit));
    const qs = query.size > 0 ? `?${query}` : '';
    const answer = await ctx.client.request<{ runs: ApiRun[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/runs${qs}`,
    );
    if (ctx.flags.json) ctx.printJson(answer);
    else if (answer.runs.length === 0) ctx.print('no runs\n');
    else ctx.print(runsTable(answer.runs, ctx.view));
    return 0;
  },

  'runs show': async (ctx, id) => {
    const run = await ctx.client.request<ApiRun>('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
    if (ctx.flags.json) ctx.printJson(run);
    else ctx.print(runDetail(run, ctx.view));
    return 0;
  },

  'runs stop': async (ctx, id) => {
    const run = await ctx.client.request<ApiRun>(
      'POST',
      `/api/v1/runs/${encodeURIComponent(id)}/stop`,
    );
    if (ctx.flags.json) ctx.printJson(run);
    else if (FINAL_RUN_STATES.has(run.state)) ctx.print(`run ${run.id} is ${run.state}\n`);
    else ctx.print(`stopping run ${run.id}\n`);
    return 0;
  },

  logs: async (ctx, id) => {
    const query = new URLSearchParams();
    if (ctx.flags.tail !== undefined) query.set('tail', String(ctx.flags.tail));
    if (ctx.flags.follow) query.set('follow', '1');
    const qs = query.size > 0 ? `?${query}` : '';
    await ctx.client.stream(`/api/v1/runs/${encodeURIComponent(id)}/log${qs}`, (chunk) =>
      ctx.io.stdout.write(chunk),
    );
    return 0;
  },
};

async function setEnabled(ctx: Ctx, ref: string, enabled: boolean): Promise<number> {
  const id = await jobId(ctx.client, ref);
  const job = await ctx.client.request<ApiJob>('PATCH', `/api/v1/jobs/${id}`, { enabled });
  if (ctx.flags.json) ctx.printJson(job);
  else ctx.print(`${enabled ? 'enabled' : 'disabled'} job ${job.name} (id ${job.id})\n`);
  return 0;
}

/** Streams a run's log until it ends, then answers with the run's exit code (1 if it has none). */
async function followRun(ctx: Ctx, runId: string): Promise<number> {
  await ctx.client.stream(`/api/v1/runs/${runId}/log?follow=1`, (chunk) =>
    ctx.io.stdout.write(chunk),
  );
  // The log ends when the run does; its final state may be written a moment later.
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let run = await ctx.client.request<ApiRun>('GET', `/api/v1/runs/${runId}`);
  while (!FINAL_RUN_STATES.has(run.state) && Date.now() < deadline) {
    await sleep(SETTLE_POLL_MS);
    run = await ctx.client.request<ApiRun>('GET', `/api/v1/runs/${runId}`);
  }
  if (!FINAL_RUN_STATES.has(run.state)) {
    throw new ClientError(
      `the log of run ${runId} ended but the run is still ${run.state}; see: bosun runs show ${runId}`,
    );
  }
  if (run.state === 'succeeded' || run.state === 'savepoint_done') return 0;
  const detail = [
    run.exitCode !== null && run.exitCode !== undefined ? `exit code ${run.exitCode}` : undefined,
    run.signal ? `signal ${run.signal}` : undefined,
    run.error ?? undefined,
  ].filter(Boolean);
  ctx.io.stderr.write(
    `bosun: run ${runId} ${run.state}${detail.length ? ` (${detail.join(', ')})` : ''}\n`,
  );
  return run.exitCode ? run.exitCode : 1;
}

async function getJob(client: ApiClient, ref: string): Promise<ApiJob> {
  return client.request<ApiJob>('GET', `/api/v1/jobs/${encodeURIComponent(ref)}`);
}

/** Creates or replaces the job of this name, in one request. */
async function upsertJob(
  client: ApiClient,
  name: string,
  body: Record<string, unknown>,
): Promise<{ job: ApiJob; created: boolean }> {
  const answer = await client.exchange<ApiJob>(
    'PUT',
    `/api/v1/jobs/by-name/${encodeURIComponent(name)}`,
    body,
  );
  return { job: answer.body, created: answer.status === 201 };
}

/**
 * The `job.name` a pipeline config sets, read by the agent's own parser; undefined when it sets none
 * or does not parse (the agent then says what is wrong with it).
 */
function configJobName(text: string, format: PipelineFormat): string | undefined {
  try {
    return pipelineStructure({ format, config: text }, catalog).env.options['job.name'];
  } catch {
    return undefined;
  }
}

/** Ids pass through; a name is looked up, since only GET /jobs/:id is documented to take one. */
async function jobId(client: ApiClient, ref: string): Promise<string> {
  if (/^\d+$/.test(ref)) return ref;
  return (await getJob(client, ref)).id;
}
