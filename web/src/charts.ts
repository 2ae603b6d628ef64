// The time-series charts (uPlot over the shared Series). uPlot draws on canvas, which cannot use CSS
// variables, so colours are resolved from them when a chart is built and a theme flip rebuilds it.
import uPlot from 'uplot';
import { formatBytesShort, formatPercent, formatRate } from './format.ts';
import type { Field, Series } from './series.ts';

export interface Line {
  field: Field;
  label: string;
  /** A CSS custom property holding the colour, e.g. "--c-cpu". */
  color: string;
  fill?: boolean;
}

export interface ChartDef {
  /** The element the canvas goes into; its width drives the chart's. */
  el: HTMLElement;
  /** Shows the values under the cursor while hovering. */
  readout: HTMLElement;
  lines: Line[];
  kind: 'percent' | 'rate';
}

export interface Charts {
  /** Redraws with the Series' current data. */
  update(): void;
  setWindow(seconds: number): void;
  /** Rebuilds every chart (theme change). */
  rebuild(): void;
}

const HEIGHT = 150;
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
/** Powers of two, so byte-rate ticks read 512, 1K, 1.5K or 256K, 512K, 768K, never 977K. */
const BYTE_INCRS = Array.from({ length: 51 }, (_, i) => 2 ** i);

/** Tick label: HH:MM, with seconds only when the tick is not on a whole minute. */
function formatClock(t: number): string {
  const d = new Date(t * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() === 0 ? hm : `${hm}:${pad(d.getSeconds())}`;
}

export function createCharts(series: Series, defs: ChartDef[], windowSec: number): Charts {
  let plots: uPlot[] = [];
  let span = windowSec;

  const data = (def: ChartDef): uPlot.AlignedData => {
    const last = series.lastT();
    const from = last === undefined ? 0 : series.indexAt(last - span);
    return [
      series.t.slice(from),
      ...def.lines.map((line) => series.values[line.field].slice(from)),
    ];
  };

  const build = (): void => {
    const colors = readColors(defs);
    plots = defs.map((def) => {
      def.el.replaceChildren();
      return new uPlot(options(def, colors), data(def), def.el);
    });
  };

  // One observer for all charts: cards resize together when the grid reflows.
  const observer = new ResizeObserver(() => {
    for (const [i, plot] of plots.entries()) {
      const width = Math.floor(defs[i]?.el.clientWidth ?? 0);
      if (width > 0 && width !== plot.width) plot.setSize({ width, height: HEIGHT });
    }
  });
  for (const def of defs) observer.observe(def.el);

  build();

  return {
    update() {
      for (const [i, plot] of plots.entries()) {
        const def = defs[i];
        if (def) plot.setData(data(def));
      }
    },
    setWindow(seconds) {
      span = seconds;
      this.update();
    },
    rebuild() {
      for (const plot of plots) plot.destroy();
      build();
    },
  };
}

interface Colors {
  axis: string;
  grid: string;
  lines: Map<string, string>;
}

/** Resolves CSS colours (which may use light-dark()) by letting the browser compute them. */
function readColors(defs: ChartDef[]): Colors {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  document.body.append(probe);
  const resolve = (cssVar: string): string => {
    probe.style.color = `var(${cssVar})`;
    return getComputedStyle(probe).color;
  };
  const lines = new Map<string, string>();
  for (const def of defs) for (const line of def.lines) lines.set(line.color, resolve(line.color));
  const colors = { axis: resolve('--muted'), grid: resolve('--grid'), lines };
  probe.remove();
  return colors;
}

/** "rgb(1, 2, 3)" → "rgba(1, 2, 3, a)", for area fills under the lines. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(color);
  return m ? `rgba(${m[1]},${m[2]},${m[3]}, ${alpha})` : color;
}

function options(def: ChartDef, colors: Colors): uPlot.Options {
  const percent = def.kind === 'percent';
  const format = (v: number | null | undefined): string =>
    v === null || v === undefined ? '–' : percent ? formatPercent(v) : formatRate(v);
  const axisFont = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  return {
    width: Math.max(200, Math.floor(def.el.clientWidth)),
    height: HEIGHT,
    legend: { show: false },
    cursor: { points: { size: 6 }, drag: { x: false, y: false } },
    // Right padding leaves room for the last time label, which uPlot centres on its tick.
    padding: [8, 20, 0, 0],
    scales: {
      x: { time: true, range: (_u, min, max) => (min === max ? [min - 60, max] : [min, max]) },
      y: {
        // Percent charts keep a fixed 0–100 so a glance compares them; rates start at 0 and leave
        // headroom, with a floor so an idle link does not turn noise into a full-height line.
        range: percent ? [0, 100] : (_u, _min, max) => [0, Math.max(1024, (max ?? 0) * 1.15)],
      },
    },
    axes: [
      {
        stroke: colors.axis,
        font: axisFont,
        grid: { stroke: colors.grid, width: 1 },
        ticks: { stroke: colors.grid, width: 1, size: 4 },
        space: 70,
        size: 28,
        // Whole seconds at least: labels have no sub-second part, so finer ticks would repeat.
        incrs: TIME_INCRS,
        // One line of wall-clock time; uPlot's default adds a date line that costs chart height.
        values: (_u, splits) => splits.map(formatClock),
      },
      {
        stroke: colors.axis,
        font: axisFont,
        grid: { stroke: colors.grid, width: 1 },
        ticks: { show: false },
        size: 44,
        space: 30,
        incrs: percent ? undefined : BYTE_INCRS,
        values: (_u, splits) => splits.map((v) => (percent ? `${v}%` : formatBytesShort(v))),
      },
    ],
    series: [
      {},
      ...def.lines.map((line): uPlot.Series => {
        const color = colors.lines.get(line.color) ?? colors.axis;
        return {
          label: line.label,
          stroke: color,
          width: 1.5,
          fill: line.fill ? withAlpha(color, 0.12) : undefined,
          points: { show: false },
          value: (_u, v) => format(v),
        };
      }),
    ],
    hooks: {
      setCursor: [
        (u) => {
          const idx = u.cursor.idx;
          const t = idx === null || idx === undefined ? undefined : u.data[0][idx];
          if (t === undefined) {
            def.readout.textContent = '';
            return;
          }
          const parts = def.lines.map(
            (line, i) => `${line.label} ${format(u.data[i + 1]?.[idx as number])}`,
          );
          def.readout.textContent = `${new Date(t * 1000).toLocaleTimeString()} · ${parts.join(' · ')}`;
        },
      ],
    },
  };
}
