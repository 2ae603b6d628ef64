// Runs wrk pinned to a CPU and parses its report: requests/s, p50/p99 latency and errors.
import { startPinned, stopGroup } from './spawn.ts';

export interface WrkResult {
  requestsPerSec: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** Socket errors plus non-2xx/3xx answers: a run with errors measured something else. */
  errors: number;
}

export interface WrkOptions {
  url: string;
  seconds: number;
  connections: number;
  cpu: number;
  /** A wrk Lua script (for a POST body, say). */
  script?: string;
}

export async function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--latency',
    ...(opts.script === undefined ? [] : ['-s', opts.script]),
    opts.url,
  ];
  const wrk = startPinned(opts.cpu, 'wrk', args);
  // wrk stops itself after -d; the timer only guards against a wedged run.
  const guard = setTimeout(() => void stopGroup(wrk), (opts.seconds + 15) * 1000);
  const code = await wrk.exited;
  clearTimeout(guard);
  const report = wrk.tail();
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} exited with ${code}:\n${report}`);
  return parseWrk(report);
}

export function parseWrk(report: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(report);
  if (!rps) throw new Error(`unexpected wrk output:\n${report}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    report,
  );
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(report);
  const errors =
    (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  return {
    requestsPerSec: Number(rps[1]),
    p50: percentile(report, '50'),
    p99: percentile(report, '99'),
    errors,
  };
}

/** A line of wrk's "Latency Distribution", e.g. "99%    2.61ms", in ms. */
function percentile(report: string, pct: string): number {
  const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(report);
  if (!m) return NaN;
  const scale = m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1;
  return Number(m[1]) * scale;
}
