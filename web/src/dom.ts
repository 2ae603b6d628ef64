// Small DOM helpers. The dashboard stays open for hours, so updates touch only what changed:
// text is written only when it differs and table rows are kept per key and moved, not rebuilt.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`dashboard markup is missing #${id}`);
  return node as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Writing the same text again still costs a layout; skip it. */
export function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function setAttr(node: Element, name: string, value: string): void {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/** Sets a CSS custom property (bar widths, colours) only when it changes. */
export function setVar(node: HTMLElement, name: string, value: string): void {
  if (node.style.getPropertyValue(name) !== value) node.style.setProperty(name, value);
}

export interface KeyedRowsOptions<T, R> {
  key(item: T): string;
  /** Builds a row once per key; `R` holds its cells so updates need no queries. */
  create(item: T): { row: HTMLTableRowElement; cells: R };
  update(cells: R, item: T, row: HTMLTableRowElement): void;
}

/**
 * Keeps a tbody in step with a list: one row per key, created once, updated in place and moved
 * only when the order changes. Returns the sync function.
 */
export function keyedRows<T, R>(
  tbody: HTMLTableSectionElement,
  opts: KeyedRowsOptions<T, R>,
): (items: readonly T[]) => void {
  const rows = new Map<string, { row: HTMLTableRowElement; cells: R }>();
  return (items) => {
    const seen = new Set<string>();
    let cursor = tbody.firstElementChild;
    for (const item of items) {
      let key = opts.key(item);
      // Duplicate keys (a mount point mounted over twice) still get rows of their own.
      for (let n = 2; seen.has(key); n++) key = `${opts.key(item)}#${n}`;
      seen.add(key);
      let entry = rows.get(key);
      if (!entry) {
        entry = opts.create(item);
        rows.set(key, entry);
      }
      opts.update(entry.cells, item, entry.row);
      if (entry.row === cursor) cursor = cursor.nextElementSibling;
      else tbody.insertBefore(entry.row, cursor);
    }
    for (const [key, entry] of rows) {
      if (!seen.has(key)) {
        entry.row.remove();
        rows.delete(key);
      }
    }
  };
}
