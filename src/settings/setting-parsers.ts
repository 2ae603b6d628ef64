// Reads one setting's raw value (a flag's or env variable's text, or a YAML value) by its kind and
// checks it against its row: the messages say what is wrong and what a good value looks like.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { DEFAULT_THRESHOLDS, type HealthThresholds } from '../monitor/health.ts';
import { parseBytes, parseDuration } from '../units/parse.ts';
import { formatSettingValue, type Kind, type SettingSpec } from './settings.ts';

/** Stops loading with a problem of the setting being read; the caller says where it came from. */
export type Fail = (problem: string) => never;

export interface ParseContext {
  /** Relative paths are resolved against it. */
  readonly cwd: string;
  readonly fail: Fail;
}

type Parser = (value: unknown, spec: SettingSpec, ctx: ParseContext) => unknown;

/** The setting's value, or its default (or empty value) when `value` is undefined. */
export function parseSetting(spec: SettingSpec, value: unknown, ctx: ParseContext): unknown {
  if (value === undefined) {
    if (spec.kind === 'dir') return path.resolve(ctx.cwd, String(spec.default));
    if (spec.kind === 'hosts' || spec.kind === 'origins') return Object.freeze([]);
    if (spec.kind === 'thresholds') return Object.freeze({});
    return spec.default;
  }
  return PARSERS[spec.kind as keyof typeof PARSERS](value, spec, ctx);
}

const PARSERS: Record<Exclude<Kind, 'token' | 'token-file'>, Parser> = {
  host(value, _spec, { fail }) {
    const host = String(value).trim();
    if (host === '' || (isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host))) {
      fail(`"${host}" is not an IP address or host name (e.g. 127.0.0.1, 0.0.0.0, ::1)`);
    }
    return host;
  },
  port(value, _spec, { fail }) {
    const s = String(value).trim();
    if (!/^\d{1,5}$/.test(s) || Number(s) > 65535) {
      fail(`"${String(value)}" is not a port number between 0 and 65535`);
    }
    return Number(s);
  },
  duration(value, spec, { fail }) {
    const ms = parseDuration(value);
    if (ms === undefined) {
      return fail(
        `"${String(value)}" is not a duration; use e.g. 500ms, 2s, 1m (a bare number means seconds)`,
      );
    }
    return inRange(ms, value, spec, fail);
  },
  count(value, spec, { fail }) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < (spec.min ?? 0) || n > (spec.max ?? Infinity)) {
      fail(`"${String(value)}" is not a whole number between ${spec.min} and ${spec.max}`);
    }
    return n;
  },
  bytes(value, spec, { fail }) {
    const n = parseBytes(value);
    if (n === undefined) {
      return fail(`"${String(value)}" is not a size; use e.g. 512KiB, 8MiB, 1GiB`);
    }
    return inRange(n, value, spec, fail);
  },
  boolean(value, _spec, { fail }) {
    if ([false, 'false', '0', 'no'].includes(value as boolean | string)) return false;
    if ([true, 'true', '1', 'yes'].includes(value as boolean | string)) return true;
    return fail(`"${String(value)}" is not a boolean; use true or false`);
  },
  enum(value, spec, { fail }) {
    const choices = spec.choices ?? [];
    const v = String(value).toLowerCase();
    if (!choices.includes(v)) fail(`"${String(value)}" is not one of ${choices.join(', ')}`);
    return v;
  },
  hosts(value, _spec, { fail }) {
    const hosts = parseList(value).map((host) => {
      if (!/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/i.test(host)) {
        fail(`"${host}" is not a host name; give names without scheme or port`);
      }
      return host.toLowerCase();
    });
    return Object.freeze(hosts);
  },
  origins(value, _spec, { fail }) {
    const origins = parseList(value).map((origin) => {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        // reported below
      }
      if (
        url === undefined ||
        !/^https?:$/.test(url.protocol) ||
        url.origin !== origin.replace(/\/$/, '')
      ) {
        return fail(
          `"${origin}" is not an origin; use scheme://host[:port], e.g. https://ops.example.com`,
        );
      }
      return url.origin;
    });
    return Object.freeze(origins);
  },
  dir(value, _spec, { cwd }) {
    return path.resolve(cwd, String(value));
  },
  /** An optional path: undefined when empty. */
  path(value, _spec, { cwd }) {
    const text = String(value).trim();
    return text === '' ? undefined : path.resolve(cwd, text);
  },
  /** `zone=a,role=etl` from a flag or env, or a YAML mapping of the same. */
  labels(value, _spec, { fail }) {
    const out: Record<string, string> = {};
    for (const [name, raw] of nameValuePairs(value, 'zone=a', fail)) {
      if (!/^[A-Za-z0-9_.-]{1,63}$/.test(name)) {
        fail(`"${name}" is not a label name; use letters, digits, "_", "-" and "." (at most 63)`);
      }
      const text = String(raw ?? '').trim();
      if (text.length > 255) fail(`the value of label "${name}" is longer than 255 characters`);
      out[name] = text;
    }
    return Object.freeze(out);
  },
  /** undefined when not given: the store then lives in the data dir. */
  store(value, _spec, { cwd, fail }) {
    const store = String(value).trim();
    if (store === '') return undefined;
    if (/^postgres(ql)?:\/\//i.test(store)) {
      try {
        new URL(store);
      } catch {
        fail('is not a valid postgres:// URL (postgres://user:password@host:5432/database)');
      }
      return store;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(store)) {
      fail('must be a SQLite file path or a postgres:// URL');
    }
    return path.resolve(cwd, store);
  },
  /** `cpuWarningPercent=80,diskCriticalPercent=97` from a flag or env, or a YAML mapping of the same. */
  thresholds(value, _spec, { fail }) {
    const out: Partial<Record<keyof HealthThresholds, number>> = {};
    for (const [name, raw] of nameValuePairs(value, 'cpuWarningPercent=80', fail)) {
      if (!(name in DEFAULT_THRESHOLDS)) {
        fail(`unknown threshold "${name}"; known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')}`);
      }
      const n = typeof raw === 'number' ? raw : Number(String(raw));
      if (String(raw).trim() === '' || !Number.isFinite(n) || n < 0) {
        fail(`${name} must be a number, 0 or more; got "${String(raw)}"`);
      }
      out[name as keyof HealthThresholds] = n;
    }
    return Object.freeze(out);
  },
};

function inRange(n: number, value: unknown, spec: SettingSpec, fail: Fail): number {
  if (n < (spec.min ?? 0) || n > (spec.max ?? Infinity)) {
    fail(`${String(value)} is out of range; allowed ${describeRange(spec)}`);
  }
  return n;
}

/** "100ms to 1h", "1 to 4096", "4KiB to 1GiB"; undefined for a setting without bounds. */
export function describeRange(spec: SettingSpec): string | undefined {
  if (spec.min === undefined || spec.max === undefined) return undefined;
  return `${formatSettingValue(spec, spec.min)} to ${formatSettingValue(spec, spec.max)}`;
}

/** `a=1,b=2` (flag, env) or a YAML mapping, as [name, value] pairs. */
function nameValuePairs(value: unknown, example: string, fail: Fail): Array<[string, unknown]> {
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  return String(value)
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq === -1) fail(`"${part.trim()}" is not name=value, e.g. ${example}`);
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    });
}

/** A comma-separated string (flag, env) or a YAML list of strings. */
function parseList(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/** `--token X`, or a bare `--token` (true) that generates one; false or undefined: no token. */
export function parseToken(
  value: unknown,
  fail: Fail,
): { token: string; generated: boolean } | undefined {
  if (value === undefined || value === false || value === 'false') return undefined;
  if (value === true || value === 'true') {
    return { token: randomBytes(24).toString('base64url'), generated: true };
  }
  const token = String(value);
  if (token.length < 8) {
    fail('a token must be at least 8 characters (or give bare --token to generate one)');
  }
  if (/\s/.test(token)) fail('a token must not contain whitespace');
  return { token, generated: false };
}

export function readTokenFile(file: string, fail: Fail): string {
  let token = '';
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    fail(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (token.length < 8) fail(`${file} must hold a token of at least 8 characters`);
  if (/\s/.test(token)) fail(`${file} must hold one token without whitespace`);
  return token;
}
