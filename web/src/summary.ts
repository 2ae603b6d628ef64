// Everything on the page that is a figure rather than a chart or a table: the header, the health
// card, the headline numbers of each chart card, per-core bars and the footer.
import { byId, el, setAttr, setText, setVar } from './dom.ts';
import {
  formatBytes,
  formatCount,
  formatLoad,
  formatPercent,
  formatRate,
  healthLevel,
  usageLevel,
} from './format.ts';
import type { HealthWarning, Snapshot } from './types.ts';

export function createSummary(): (s: Snapshot) => void {
  const ids = [
    'hostname',
    'host-meta',
    'uptime',
    'health',
    'health-score',
    'health-label',
    'health-warnings',
    'agent-info',
    'cpu-total',
    'cpu-detail',
    'cpu-cores',
    'load',
    'mem-percent',
    'mem-detail',
    'swap-percent',
    'net-rx',
    'net-tx',
    'net-detail',
    'disk-read',
    'disk-write',
    'disk-detail',
    'seq',
    'updated',
  ] as const;
  const n = Object.fromEntries(ids.map((id) => [id, byId(id)])) as Record<
    (typeof ids)[number],
    HTMLElement
  >;
  const cores: HTMLElement[] = [];
  let warningsKey = '';
  let titleHost = '';

  const renderCores = (perCore: readonly number[]): void => {
    // Cells are created once for the core count (it only changes on CPU hotplug).
    while (cores.length < perCore.length) {
      const core = el('span', 'core');
      const bar = el('span', 'core-bar');
      bar.append(el('span', 'core-fill'));
      core.append(el('span', 'core-label', String(cores.length)), bar, el('span', 'core-pct'));
      n['cpu-cores'].append(core);
      cores.push(core);
    }
    while (cores.length > perCore.length) cores.pop()?.remove();
    // Up to 16 cores read best as labelled meters; beyond that a strip of bars stays compact.
    setAttr(n['cpu-cores'], 'data-layout', perCore.length > 16 ? 'strip' : 'rows');
    perCore.forEach((value, i) => {
      const core = cores[i] as HTMLElement;
      setVar(core, '--p', `${Math.min(100, Math.max(0, value)).toFixed(0)}%`);
      setAttr(core, 'data-level', usageLevel(value, 75, 90));
      setAttr(core, 'title', `cpu${i}: ${formatPercent(value)}`);
      setText(core.lastElementChild as Element, formatPercent(value));
    });
  };

  const renderWarnings = (warnings: readonly HealthWarning[]): void => {
    // The list changes rarely; rebuild it only when its content does.
    const key = JSON.stringify(warnings);
    if (key === warningsKey) return;
    warningsKey = key;
    const sorted = [...warnings].sort((a, b) =>
      a.level === b.level ? 0 : a.level === 'critical' ? -1 : 1,
    );
    n['health-warnings'].replaceChildren(
      ...sorted.map((w) => {
        const item = el('li', 'warning');
        item.dataset.level = w.level;
        item.dataset.code = w.code;
        item.append(el('span', 'level', w.level), el('span', 'message', w.message));
        return item;
      }),
    );
  };

  return (s) => {
    const sys = s.system;
    setText(n.hostname, sys.hostname);
    setText(n['host-meta'], [sys.os, sys.kernel, sys.arch].filter(Boolean).join(' · '));
    setAttr(n['host-meta'], 'title', `${sys.cpu_model} · ${sys.cores} cores`);
    setText(n.uptime, `up ${sys.uptime_human}`);
    if (titleHost !== sys.hostname) {
      titleHost = sys.hostname;
      document.title = `${sys.hostname} · bosun`;
    }

    const level = healthLevel(
      s.health.score,
      s.health.warnings.map((w) => w.level),
    );
    setText(n['health-score'], String(Math.round(s.health.score)));
    setAttr(n.health, 'data-level', level);
    const count = s.health.warnings.length;
    setText(n['health-label'], count === 0 ? 'All clear' : plural(count, 'warning'));
    renderWarnings(s.health.warnings);
    const agent = sys.agent;
    if (agent) {
      setText(
        n['agent-info'],
        `bosun ${agent.version} · pid ${agent.pid} · ${formatBytes(agent.rss)} · ${formatPercent(agent.cpu_percent)} CPU`,
      );
    }

    const cpu = s.cpu;
    setText(n['cpu-total'], formatPercent(cpu.total_percent));
    setAttr(n['cpu-total'], 'data-level', usageLevel(cpu.total_percent, 75, 90));
    const modes = Object.entries(cpu.modes ?? {})
      .filter(([mode, v]) => mode !== 'idle' && v >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, v]) => `${k} ${formatPercent(v)}`);
    setText(
      n['cpu-detail'],
      [
        `${sys.cores} cores`,
        cpu.frequency_mhz > 0 ? `${(cpu.frequency_mhz / 1000).toFixed(2)} GHz` : '',
        ...modes,
      ]
        .filter(Boolean)
        .join(' · '),
    );
    renderCores(cpu.per_core);
    setText(
      n.load,
      `${formatLoad(s.load.load1)} ${formatLoad(s.load.load5)} ${formatLoad(s.load.load15)}`,
    );
    setAttr(n.load, 'data-level', usageLevel(s.load.load1 / Math.max(1, sys.cores), 1, 1.5));

    const mem = s.memory;
    setText(n['mem-percent'], formatPercent(mem.percent));
    setAttr(n['mem-percent'], 'data-level', usageLevel(mem.percent));
    setText(
      n['mem-detail'],
      `${formatBytes(mem.used)} of ${formatBytes(mem.total)} · ${formatBytes(mem.available)} available · ${formatBytes(mem.cached)} cached`,
    );
    setText(
      n['swap-percent'],
      mem.swap_total > 0
        ? `swap ${formatPercent(mem.swap_percent)} · ${formatBytes(mem.swap_used)} of ${formatBytes(mem.swap_total)}`
        : 'no swap',
    );

    const net = s.network;
    setText(n['net-rx'], formatRate(net.total_download_sec));
    setText(n['net-tx'], formatRate(net.total_upload_sec));
    const conntrack =
      net.conntrack_max > 0 ? ` · conntrack ${formatCount(net.conntrack_count)}` : '';
    setText(
      n['net-detail'],
      `TCP ${formatCount(net.tcp_connections)} · UDP ${formatCount(net.udp_connections)}${conntrack}`,
    );

    let read = 0;
    let write = 0;
    let busiest: { device: string; util: number } | undefined;
    for (const io of s.disk.io) {
      read += io.read_bytes_sec;
      write += io.write_bytes_sec;
      if (!busiest || io.util_percent > busiest.util) {
        busiest = { device: io.device, util: io.util_percent };
      }
    }
    setText(n['disk-read'], formatRate(read));
    setText(n['disk-write'], formatRate(write));
    setText(
      n['disk-detail'],
      busiest
        ? `${plural(s.disk.io.length, 'device')} · busiest ${busiest.device} ${formatPercent(busiest.util)}`
        : 'no block devices',
    );

    setText(n.seq, String(s.seq));
    setText(n.updated, new Date(s.timestamp).toLocaleTimeString());
    setAttr(n.updated, 'datetime', s.timestamp);
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
