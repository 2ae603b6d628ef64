// The pipeline card of a pipeline run's page: the DAG as a graph (sources, transforms and sinks in
// columns, an edge per table) with each vertex's row count and rate, kept live from the run's
// metrics, and SeaTunnel's status word for the run.
import { setAttr, setText } from './dom.ts';
import type { DagJson, RunJson } from './jobs-types.ts';
import { seatunnelStatus } from '../../src/pipeline/seatunnel-status.ts';
import { h } from './view.ts';

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 190;
const BOX_H = 58;
const COL_GAP = 80;
const ROW_GAP = 24;
const COLUMNS = ['source', 'transform', 'sink'] as const;

export interface PipelineView {
  readonly element: HTMLElement;
  update(run: RunJson): void;
}

export function createPipelineView(dag: DagJson): PipelineView {
  const status = h('span', { class: 'badge', 'data-testid': 'pipeline-status' }, '…');
  const totals = h('span', { class: 'muted', 'data-testid': 'pipeline-totals' });
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'pipeline-dag');
  svg.setAttribute('data-testid', 'pipeline-dag');

  // Layout: one column per role, vertices stacked in id order.
  const place = new Map<number, { x: number; y: number }>();
  let height = 0;
  const used = COLUMNS.filter((role) => dag.vertices.some((v) => v.role === role));
  used.forEach((role, col) => {
    dag.vertices
      .filter((v) => v.role === role)
      .forEach((v, row) => {
        const y = row * (BOX_H + ROW_GAP);
        place.set(v.id, { x: col * (BOX_W + COL_GAP), y });
        height = Math.max(height, y + BOX_H);
      });
  });
  svg.setAttribute(
    'viewBox',
    `-4 -4 ${used.length * (BOX_W + COL_GAP) - COL_GAP + 8} ${height + 8}`,
  );
  svg.setAttribute('width', String(used.length * (BOX_W + COL_GAP) - COL_GAP + 8));

  const el = <K extends keyof SVGElementTagNameMap>(
    tag: K,
    attrs: Record<string, string | number>,
  ) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    svg.append(node);
    return node;
  };
  for (const edge of dag.edges) {
    const a = place.get(edge.from);
    const b = place.get(edge.to);
    if (!a || !b) continue;
    el('path', {
      d: `M ${a.x + BOX_W} ${a.y + BOX_H / 2} C ${a.x + BOX_W + COL_GAP / 2} ${a.y + BOX_H / 2}, ${b.x - COL_GAP / 2} ${b.y + BOX_H / 2}, ${b.x} ${b.y + BOX_H / 2}`,
      class: 'dag-edge',
    });
  }
  const counts = new Map<number, SVGTextElement>();
  for (const v of dag.vertices) {
    const p = place.get(v.id) as { x: number; y: number };
    el('rect', {
      x: p.x,
      y: p.y,
      width: BOX_W,
      height: BOX_H,
      rx: 6,
      class: `dag-box dag-${v.role}`,
    });
    const title = el('text', { x: p.x + 10, y: p.y + 20, class: 'dag-title' });
    title.textContent = `${v.plugin}${v.parallelism > 1 ? ` ×${v.parallelism}` : ''}`;
    const table = el('text', { x: p.x + 10, y: p.y + 36, class: 'dag-table' });
    table.textContent = v.table;
    const count = el('text', { x: p.x + 10, y: p.y + 51, class: 'dag-count', 'data-vertex': v.id });
    count.textContent = '–';
    counts.set(v.id, count);
  }

  const element = h(
    'section',
    { class: 'card pipeline-card', 'data-testid': 'pipeline-card' },
    h('div', { class: 'card-head' }, h('h2', {}, 'Pipeline'), status, totals),
    h('div', { class: 'dag-scroll' }, svg),
  );

  let last: { at: number; counts: Record<string, number> } | undefined;
  return {
    element,
    update(run) {
      const word = seatunnelStatus(run.state, run.stopSignal);
      setText(status, word);
      setAttr(status, 'data-state', word);
      const m = (run.metrics ?? {}) as {
        VertexRowCount?: Record<string, number>;
        SourceReceivedCount?: number;
        SinkWriteCount?: number;
      };
      const now = Date.now();
      const vertexCounts = m.VertexRowCount ?? {};
      for (const [id, text] of counts) {
        const n = vertexCounts[String(id)] ?? 0;
        const before = last?.counts[String(id)];
        const seconds = last ? (now - last.at) / 1000 : 0;
        const rate =
          before !== undefined && seconds > 0 && run.state === 'running'
            ? (n - before) / seconds
            : undefined;
        text.textContent = `${n.toLocaleString('en-US')} rows${rate === undefined ? '' : ` · ${Math.round(rate).toLocaleString('en-US')}/s`}`;
      }
      last = { at: now, counts: { ...vertexCounts } };
      setText(
        totals,
        `read ${(m.SourceReceivedCount ?? 0).toLocaleString('en-US')} · written ${(m.SinkWriteCount ?? 0).toLocaleString('en-US')}${run.checkpointId === null ? '' : ` · checkpoint ${run.checkpointId}`}`,
      );
    },
  };
}
