// What the jobs pages share: the context a page is mounted with, and small DOM builders for markup
// that is built once per page (the long-lived host view uses dom.ts's keyed, in-place updates).
import { setAttr, setText } from './dom.ts';
import { exactTime, relativeTime, runTone, stateLabel } from './jobs-format.ts';
import type { JobEvents } from './job-events.ts';
import type { RunState } from './jobs-types.ts';

export interface ViewContext {
  events: JobEvents;
  /** The agent answered 401: show how to sign in. */
  onAuth(): void;
  navigate(hash: string): void;
}

/** Mounts a page into `root`; the returned function stops its timers, streams and listeners. */
export type MountView = (root: HTMLElement, ctx: ViewContext) => () => void;

type Child = Node | string | null | undefined | false;

/** `h('a', {href: '#/jobs', class: 'x'}, 'Jobs')`. Attributes are set as attributes, text as text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** A coloured run-state pill; `update` rewrites it in place. */
export function stateBadge(state?: RunState, testid?: string): HTMLSpanElement {
  const badge = h('span', { class: 'run-state', 'data-testid': testid });
  if (state) updateStateBadge(badge, state);
  return badge;
}

export function updateStateBadge(badge: HTMLElement, state: RunState): void {
  setAttr(badge, 'data-tone', runTone(state));
  setAttr(badge, 'data-state', state);
  setText(badge, stateLabel(state));
}

/**
 * A relative time ("in 4m") that a page's ticker refreshes: the ISO time rides in data-time, the
 * exact time in the title.
 */
export function setTime(node: HTMLElement, iso: string | null | undefined, nowMs: number): void {
  setAttr(node, 'data-time', iso ?? '');
  setAttr(node, 'title', exactTime(iso));
  setText(node, relativeTime(iso, nowMs));
}

/** Refreshes every relative time under `root`. */
export function refreshTimes(root: HTMLElement, nowMs: number): void {
  for (const node of root.querySelectorAll<HTMLElement>('[data-time]')) {
    setText(node, relativeTime(node.dataset.time, nowMs));
  }
}

/** A `<dl>` of label/value rows. */
export function fields(rows: [string, Child][], className = 'fields'): HTMLDListElement {
  const dl = h('dl', { class: className });
  for (const [label, value] of rows) dl.append(h('dt', {}, label), h('dd', {}, value));
  return dl;
}

/** Banner-like message inside a page (errors of a button, a missing job). */
export function showMessage(node: HTMLElement, text: string): void {
  setText(node, text);
  node.hidden = text === '';
}

/** Shown instead of the buttons that change something when the agent is read-only (CSS). */
export function readOnlyNote(): HTMLElement {
  return h(
    'span',
    { class: 'read-only-note muted', title: 'the agent runs with --read-only' },
    'read-only agent',
  );
}
