// Webhook delivery from the store's outbox. Runs beside the runner, never in its way: a run's end only
// writes an outbox row (in the same transaction); this loop POSTs it, signed, and retries with backoff.
// Taking a row leases it for a while, so in a cluster each delivery is attempted by one node at a time.
import { createHmac } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { Notification, Store } from '../store/store.ts';

export interface NotifierConfig {
  /** How often the outbox is looked at when nothing pokes. */
  pollMs: number;
  /** One delivery attempt's deadline. */
  timeoutMs: number;
  /** Attempts before a delivery is given up (and logged). */
  maxAttempts: number;
  /** The first redelivery's delay; doubles per attempt, at most an hour. @default 5000 */
  retryBaseMs?: number;
}

export interface Notifier {
  /** A run ended: look at the outbox soon. */
  poke(): void;
  stop(): Promise<void>;
}

export const SIGNATURE_HEADER = 'x-bosun-signature';
/** A finished run's deliveries go out this soon; pokes in between share one pass. */
const POKE_DELAY_MS = 100;

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Delay before attempt n+1 after n failed ones: 5 s, 10 s, 20 s… capped at an hour. */
export function redeliveryDelayMs(attempts: number, baseMs = 5000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export function createNotifier(deps: {
  store: Store;
  logger: Logger;
  config: NotifierConfig;
  fetch?: typeof fetch;
  /** Told the outcome of each delivery attempt (the agent's metrics). */
  onAttempt?: (result: 'delivered' | 'failed' | 'given_up') => void;
}): Notifier {
  const { store, logger, config } = deps;
  const send = deps.fetch ?? fetch;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  /** When the armed timer fires; a poke during a pass asks for another pass right after it. */
  let due = 0;
  let again = false;

  async function deliver(n: Notification): Promise<void> {
    const job = await store.getJob(n.jobId);
    const secret = job?.webhooks.find((w) => w.url === n.url)?.secret;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'bosun-webhook',
      'x-bosun-event': n.event,
      'x-bosun-delivery': n.id,
    };
    if (secret !== undefined) headers[SIGNATURE_HEADER] = signature(secret, n.payload);
    let problem: string;
    try {
      const res = await send(n.url, {
        method: 'POST',
        headers,
        body: n.payload,
        signal: AbortSignal.timeout(config.timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) {
        deps.onAttempt?.('delivered');
        await store.dropNotification(n.id);
        return;
      }
      problem = `HTTP ${res.status}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    deps.onAttempt?.(n.attempts >= config.maxAttempts ? 'given_up' : 'failed');
    if (n.attempts >= config.maxAttempts) {
      logger.warn({ url: n.url, runId: n.runId, event: n.event, problem }, 'webhook given up');
      await store.dropNotification(n.id);
    } else {
      await store.retryNotification(
        n.id,
        redeliveryDelayMs(n.attempts, config.retryBaseMs),
        problem,
      );
    }
  }

  async function pass(): Promise<void> {
    try {
      for (;;) {
        const batch = await store.takeNotifications(20, config.timeoutMs * 2);
        await Promise.all(
          batch.map((n) =>
            deliver(n).catch((err: unknown) => logger.warn({ err }, 'webhook failed')),
          ),
        );
        if (batch.length < 20 || stopped) break;
      }
    } catch (err) {
      logger.warn({ err }, 'could not read the webhook outbox');
    }
  }

  function schedule(ms: number): void {
    clearTimeout(timer);
    if (stopped) return;
    due = Date.now() + ms;
    timer = setTimeout(() => {
      timer = undefined;
      running = pass().finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else {
          schedule(config.pollMs);
        }
      });
    }, ms);
    timer.unref();
  }

  schedule(0);
  return {
    poke: () => {
      // Never pushes a pass further away: a stream of runs ending must not starve the outbox.
      if (running !== undefined) again = true;
      else if (timer === undefined || due > Date.now() + POKE_DELAY_MS) schedule(POKE_DELAY_MS);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
