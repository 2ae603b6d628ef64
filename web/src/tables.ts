// Filesystems and network interfaces tables, one row per mount / interface kept across ticks.
import { byId, el, keyedRows, setAttr, setText, setVar } from './dom.ts';
import { formatBytes, formatPercent, formatPerSec, formatRate, usageLevel } from './format.ts';
import type { FilesystemRow, InterfaceRow } from './types.ts';

export function createFilesystemsTable(): (rows: readonly FilesystemRow[]) => void {
  const table = byId<HTMLTableElement>('fs-table');
  const empty = byId('fs-empty');
  const sync = keyedRows<
    FilesystemRow,
    {
      mount: HTMLElement;
      device: HTMLElement;
      fstype: HTMLElement;
      used: HTMLElement;
      bar: HTMLElement;
      pct: HTMLElement;
      inodes: HTMLElement;
    }
  >(table.tBodies[0] ?? table.createTBody(), {
    key: (fs) => `${fs.mount}|${fs.device}`,
    create: () => {
      const row = el('tr');
      // Mount and device share a cell (device on a second line) so the table fits half a screen.
      const where = el('td', 'mount');
      const mount = el('div', 'mount-path');
      const device = el('div', 'muted device');
      where.append(mount, device);
      const fstype = el('td', 'muted');
      const used = el('td', 'num');
      const usage = el('td');
      const wrap = el('div', 'usage');
      const bar = el('span', 'meter');
      bar.append(el('span', 'meter-fill'));
      const pct = el('span', 'num pct');
      wrap.append(bar, pct);
      usage.append(wrap);
      const inodes = el('td', 'num');
      row.append(where, fstype, used, usage, inodes);
      return { row, cells: { mount, device, fstype, used, bar, pct, inodes } };
    },
    update: (c, fs) => {
      setText(c.mount, fs.mount);
      setAttr(c.mount, 'title', fs.mount);
      setText(c.device, fs.device);
      setAttr(c.device, 'title', fs.device);
      setText(c.fstype, fs.readonly ? `${fs.fstype} (ro)` : fs.fstype);
      if (fs.error) {
        setText(c.used, fs.error);
        setAttr(c.used, 'title', fs.error);
        setAttr(c.used, 'class', 'error');
      } else {
        setText(c.used, `${formatBytes(fs.used)} / ${formatBytes(fs.total)}`);
        setAttr(c.used, 'class', 'num');
      }
      setVar(c.bar, '--p', `${Math.min(100, Math.max(0, fs.percent)).toFixed(1)}%`);
      setAttr(c.bar, 'data-level', usageLevel(fs.percent, 85, 95));
      setText(c.pct, formatPercent(fs.percent));
      setText(c.inodes, fs.inodes_total > 0 ? formatPercent(fs.inodes_percent) : '–');
      setAttr(c.inodes, 'data-level', usageLevel(fs.inodes_percent, 85, 95));
    },
  });
  return (rows) => {
    sync(rows);
    empty.hidden = rows.length > 0;
  };
}

/** Virtual interfaces (containers, bridges, loopback) go last, as vminfo's dashboard sorts them. */
function isVirtual(name: string): boolean {
  return name === 'lo' || /^(veth|docker|br-|virbr|cni|flannel|cali|vxlan|tun|tap|kube)/.test(name);
}

/** Active first, virtual last, then by name: stable across ticks so rows do not jump around. */
export function sortInterfaces(rows: readonly InterfaceRow[]): InterfaceRow[] {
  const rank = (r: InterfaceRow): number =>
    (isVirtual(r.name) ? 2 : 0) + (r.rx_bytes + r.tx_bytes > 0 ? 0 : 1);
  return [...rows].sort(
    (a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

export function createInterfacesTable(): (rows: readonly InterfaceRow[]) => void {
  const table = byId<HTMLTableElement>('net-table');
  const empty = byId('net-empty');
  const sync = keyedRows<
    InterfaceRow,
    {
      name: HTMLElement;
      ipv4: HTMLElement;
      rx: HTMLElement;
      tx: HTMLElement;
      errors: HTMLElement;
      drops: HTMLElement;
    }
  >(table.tBodies[0] ?? table.createTBody(), {
    key: (n) => n.name,
    create: () => {
      const row = el('tr');
      const cells = {
        name: el('td', 'name'),
        ipv4: el('td', 'muted'),
        rx: el('td', 'num'),
        tx: el('td', 'num'),
        errors: el('td', 'num'),
        drops: el('td', 'num'),
      };
      row.append(...Object.values(cells));
      return { row, cells };
    },
    update: (c, n, row) => {
      setAttr(row, 'data-virtual', String(isVirtual(n.name)));
      setText(c.name, n.name);
      setText(c.ipv4, n.ipv4 || '–');
      setText(c.rx, formatRate(n.download_sec));
      setText(c.tx, formatRate(n.upload_sec));
      const errRate = n.rx_err_rate + n.tx_err_rate;
      const dropRate = n.rx_drop_rate + n.tx_drop_rate;
      // Rates say whether it is happening now; totals since boot go in the tooltip.
      setText(c.errors, formatPerSec(errRate));
      setAttr(c.errors, 'title', `since boot: rx ${n.rx_errors}, tx ${n.tx_errors}`);
      setAttr(c.errors, 'data-level', errRate >= 100 ? 'crit' : errRate >= 10 ? 'warn' : 'ok');
      setText(c.drops, formatPerSec(dropRate));
      setAttr(c.drops, 'title', `since boot: rx ${n.rx_drops}, tx ${n.tx_drops}`);
      setAttr(c.drops, 'data-level', dropRate >= 100 ? 'crit' : dropRate >= 10 ? 'warn' : 'ok');
    },
  });
  return (rows) => {
    sync(sortInterfaces(rows));
    empty.hidden = rows.length > 0;
  };
}
