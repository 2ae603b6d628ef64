// Streams a run's log into a <pre>: GET /api/v1/runs/:id/log?follow=true, read as the body arrives.
// Text is written at most once per animation frame, the view sticks to the bottom unless the user
// scrolled up, and only the last MAX_CHARS stay in the DOM (an endless log must not eat the tab).
import { apiUrl } from './api.ts';
import { setText } from './dom.ts';
import { checked } from './jobs-api.ts';
import { keepEnd } from './jobs-format.ts';

/** About 2 MB of text; trimmed to 3/4 of it so trimming is not needed on every chunk. */
export const MAX_CHARS = 2_000_000;
/** Within this many pixels of the end counts as "at the bottom". */
const STICKY_PX = 24;

export interface LogFollowOptions {
  runId: string;
  /** The scrolling box and the text inside it. */
  box: HTMLElement;
  pre: HTMLElement;
  /** Says that earlier output was cut; hidden until it is. */
  cutNote: HTMLElement;
  /** The stream ended: the run is over, or the stream broke (`error` set). */
  onEnd(error?: unknown): void;
}

export interface LogFollow {
  stop(): void;
}

export function followLog(opts: LogFollowOptions): LogFollow {
  const { box, pre, cutNote } = opts;
  const abort = new AbortController();
  let pending = '';
  let frame = 0;
  let cutChars = 0;

  pre.textContent = '';
  cutNote.hidden = true;

  const flush = (): void => {
    frame = 0;
    if (pending === '') return;
    const stick = box.scrollHeight - box.scrollTop - box.clientHeight <= STICKY_PX;
    const text = pending;
    pending = '';
    const shown = pre.textContent?.length ?? 0;
    if (shown + text.length > MAX_CHARS) {
      const all = (pre.textContent ?? '') + text;
      const kept = keepEnd(all, Math.floor((MAX_CHARS * 3) / 4));
      cutChars += all.length - kept.length;
      pre.textContent = kept;
      cutNote.hidden = false;
      setText(
        cutNote,
        `The first ${cutChars.toLocaleString('en-US')} characters are not shown here; the raw log has all of it.`,
      );
    } else {
      const last = pre.lastChild;
      if (last instanceof Text) last.appendData(text);
      else pre.append(text);
    }
    if (stick) box.scrollTop = box.scrollHeight;
  };

  const add = (text: string): void => {
    if (text === '') return;
    // A hidden tab gets no frames: keep only what could be shown anyway.
    pending = keepEnd(pending + text, MAX_CHARS);
    if (frame === 0) frame = requestAnimationFrame(flush);
  };

  const run = async (): Promise<void> => {
    const url = apiUrl(`./api/v1/runs/${encodeURIComponent(opts.runId)}/log?follow=true`);
    const response = await checked(
      await fetch(url, {
        cache: 'no-store',
        credentials: 'same-origin',
        signal: abort.signal,
      }),
    );
    const decoder = new TextDecoder();
    if (!response.body) {
      add(decoder.decode(await response.arrayBuffer()));
      return;
    }
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      add(decoder.decode(value, { stream: true }));
    }
    add(decoder.decode());
  };

  run().then(
    () => {
      if (abort.signal.aborted) return;
      // Show the last text before the page says the run ended.
      if (frame !== 0) cancelAnimationFrame(frame);
      flush();
      opts.onEnd();
    },
    (err: unknown) => {
      if (abort.signal.aborted) return;
      if (frame !== 0) cancelAnimationFrame(frame);
      flush();
      opts.onEnd(err);
    },
  );

  return {
    stop() {
      abort.abort();
      if (frame !== 0) cancelAnimationFrame(frame);
      frame = 0;
    },
  };
}
