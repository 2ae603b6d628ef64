// A job definition as a user writes it (API body, CLI YAML, Cloudtask), checked and completed with
// defaults. The HTTP layer has already checked shapes and types against the route schema; this adds the
// rules a schema cannot say, with messages that name the field and the fix.
import { AgentError } from '../errors.ts';
import { restoreMaskedSecrets } from '../pipeline/config/mask-secrets.ts';
import { pipelineStructure } from '../pipeline/config/pipeline-config.ts';
import { isConfigError } from '../pipeline/config-error.ts';
import { catalog } from '../pipeline/connectors/catalog.ts';
import {
  JOB_LIMITS,
  PIPELINE_FORMATS,
  type PipelineFormat,
  type JobSpec,
  type PipelineSpec,
  type RetryPolicy,
  type Webhook,
} from '../model/jobs.ts';
import type { ScheduleSpec } from '../model/schedules.ts';
import { parseSchedule } from './schedule/validate.ts';

export const JOB_DEFAULTS = Object.freeze({
  kind: 'command',
  env: {},
  cwd: '',
  timeoutSec: 0,
  graceSec: 10,
  retry: { maxAttempts: 1, backoffSec: 10, maxBackoffSec: 600 },
  overlap: 'forbid',
  misfire: 'skip',
  misfireGraceSec: 60,
  jitterSec: 0,
  enabled: true,
  schedules: [],
  webhooks: [],
  keepRuns: 0,
} satisfies Omit<JobSpec, 'name' | 'cmd'>);

/** Fields a user may set; everything else on a job is the agent's. */
export const JOB_FIELDS = ['name', 'cmd', 'pipeline', ...Object.keys(JOB_DEFAULTS)] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Env names whose values every surface shows masked. */
export const SECRET_NAME = /pass|secret|token|key|credential|auth/i;
/** What a masked value looks like; sent back unchanged, it keeps the stored value. */
export const MASK = '***';

/** Puts back the stored secrets a client sent as "***" after reading them masked. */
export function keepMaskedSecrets(
  spec: JobSpec,
  previous: Pick<JobSpec, 'env' | 'webhooks' | 'pipeline'>,
): JobSpec {
  const env = { ...spec.env };
  for (const [key, value] of Object.entries(env)) {
    const stored = previous.env[key];
    if (value === MASK && stored !== undefined) env[key] = stored;
  }
  const webhooks = spec.webhooks.map((hook) => {
    const stored = previous.webhooks.find((w) => w.url === hook.url)?.secret;
    return hook.secret === MASK && stored !== undefined ? { ...hook, secret: stored } : hook;
  });
  const pipeline =
    spec.pipeline && previous.pipeline
      ? {
          ...spec.pipeline,
          config: restoreMaskedSecrets(spec.pipeline.config, previous.pipeline.config),
        }
      : spec.pipeline;
  return { ...spec, env, webhooks, ...(pipeline === undefined ? {} : { pipeline }) };
}

const invalid = (field: string, problem: string): never => {
  throw new AgentError('INVALID_INPUT', `${field}: ${problem}`);
};

/**
 * Completes and checks a definition. `body` is a plain object that passed the route schema (or, from
 * other surfaces, anything: every rule that matters for safety is checked here again).
 */
export function toJobSpec(body: Record<string, unknown>, defaultTz: string): JobSpec {
  const merged = { ...JOB_DEFAULTS, ...body } as Record<string, unknown>;
  if (merged.pipeline === null) delete merged.pipeline;
  for (const key of Object.keys(merged)) {
    if (!(JOB_FIELDS as readonly string[]).includes(key)) {
      invalid(key, `unknown field; a job has ${JOB_FIELDS.join(', ')}`);
    }
  }
  const name = typeof merged.name === 'string' ? merged.name.trim() : '';
  if (name === '') invalid('name', 'required: a short name for the job, e.g. "nightly-backup"');
  if (name.length > 200) invalid('name', 'at most 200 characters');
  if (/^[0-9]+$/.test(name)) {
    invalid('name', 'must not be all digits, or it would read as a job id');
  }
  if (name.includes('/') || [...name].some((c) => c.charCodeAt(0) < 32)) {
    invalid('name', 'must not contain "/" or control characters');
  }
  let cmd = typeof merged.cmd === 'string' ? merged.cmd : '';
  let pipeline: PipelineSpec | undefined;
  if (merged.kind === 'pipeline') {
    if (cmd !== '') {
      invalid('cmd', 'a pipeline job runs its pipeline config, not a command; remove cmd');
    }
    pipeline = toPipelineSpec(merged.pipeline);
    cmd = '';
  } else if (merged.kind === 'command') {
    if (merged.pipeline !== undefined) invalid('pipeline', 'only a job of kind "pipeline" has one');
    if (cmd.trim() === '') invalid('cmd', 'required: the shell command to run, e.g. "echo hello"');
    if (cmd.includes('\u0000')) invalid('cmd', 'must not contain a NUL character');
  } else {
    invalid('kind', 'must be "command" (a shell command) or "pipeline" (a pipeline config)');
  }

  const env = merged.env as Record<string, unknown>;
  if (env === null || typeof env !== 'object' || Array.isArray(env)) {
    invalid('env', 'must be an object of NAME: "value" pairs');
  }
  for (const [key, value] of Object.entries(env)) {
    if (!ENV_NAME.test(key)) {
      invalid(
        `env.${key}`,
        'a variable name has letters, digits and _ and does not start with a digit',
      );
    }
    if (typeof value !== 'string') invalid(`env.${key}`, 'must be a string (quote numbers)');
    if (key.startsWith('BOSUN_')) {
      invalid(`env.${key}`, 'BOSUN_* variables are set by the agent for each run');
    }
  }

  const schedules = merged.schedules;
  if (!Array.isArray(schedules)) invalid('schedules', 'must be a list of schedules');
  if ((schedules as unknown[]).length > 100) invalid('schedules', 'at most 100 schedules per job');
  const specs: ScheduleSpec[] = (schedules as unknown[]).map((s, i) =>
    parseSchedule(s, `schedules[${i}]`, defaultTz),
  );

  const webhooks = merged.webhooks;
  if (!Array.isArray(webhooks)) invalid('webhooks', 'must be a list of {url, events, secret}');
  for (const [i, hook] of (webhooks as Webhook[]).entries()) {
    let url: URL | undefined;
    try {
      url = new URL(hook.url);
    } catch {
      invalid(
        `webhooks[${i}].url`,
        `"${String(hook.url)}" is not a URL; use e.g. https://hooks.example/bosun`,
      );
    }
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
      invalid(`webhooks[${i}].url`, 'must be an http:// or https:// URL');
    }
    if (!Array.isArray(hook.events) || hook.events.length === 0) {
      invalid(`webhooks[${i}].events`, 'name at least one event, e.g. ["failed", "lost"]');
    }
  }

  // A pipeline retries as its config says, whatever `retry` was sent (it is shown as such).
  const retry =
    pipeline === undefined
      ? { ...JOB_DEFAULTS.retry, ...(merged.retry as object) }
      : pipelineRetry(pipeline);
  const numbers: [keyof typeof JOB_LIMITS, unknown][] = [
    ['timeoutSec', merged.timeoutSec],
    ['graceSec', merged.graceSec],
    ['misfireGraceSec', merged.misfireGraceSec],
    ['jitterSec', merged.jitterSec],
    ['keepRuns', merged.keepRuns],
    ['retry.maxAttempts', retry.maxAttempts],
    ['retry.backoffSec', retry.backoffSec],
    ['retry.maxBackoffSec', retry.maxBackoffSec],
  ];
  for (const [field, value] of numbers) {
    const { min, max } = JOB_LIMITS[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      invalid(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }

  const { pipeline: _given, ...rest } = merged;
  return {
    ...(rest as unknown as JobSpec),
    ...(pipeline === undefined ? {} : { pipeline }),
    name,
    cmd,
    env: env as Record<string, string>,
    retry,
    schedules: specs,
    webhooks: webhooks as Webhook[],
  };
}

/**
 * SeaTunnel's env `job.retry.times` (3) retries, `job.retry.interval.seconds` (3) apart; the config
 * bounds both to what `retry` allows.
 */
function pipelineRetry(pipeline: PipelineSpec): RetryPolicy {
  const { retryTimes, retryIntervalSec } = pipelineStructure(pipeline, catalog).env;
  return {
    maxAttempts: retryTimes + 1,
    backoffSec: retryIntervalSec,
    maxBackoffSec: retryIntervalSec,
  };
}

/**
 * A pipeline config: `{format: "json"|"hocon"|"sql", config}` with the config as text, or as an object
 * (the JSON form). Checked now (plugins, wiring, env) so a bad config is refused when it is submitted.
 */
export function toPipelineSpec(value: unknown): PipelineSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(
      'pipeline',
      'required for a pipeline job: {"format": "json", "hocon" or "sql", "config": the SeaTunnel config}',
    );
  }
  const given = value as { format?: unknown; config?: unknown };
  const format = given.format ?? (typeof given.config === 'string' ? undefined : 'json');
  if (!(PIPELINE_FORMATS as readonly unknown[]).includes(format)) {
    return invalid('pipeline.format', 'must be "json", "hocon" or "sql"');
  }
  const config =
    typeof given.config === 'string'
      ? given.config
      : typeof given.config === 'object' && given.config !== null && format === 'json'
        ? JSON.stringify(given.config)
        : invalid('pipeline.config', 'the config: JSON text or an object for json, text otherwise');
  const spec = { format: format as PipelineFormat, config };
  try {
    pipelineStructure(spec, catalog);
  } catch (err) {
    if (isConfigError(err)) invalid('pipeline.config', err.message);
    throw err;
  }
  return spec;
}
