// The Grafana dashboard (docs/grafana-bosun.json) and the example alert rules (docs/alerts.yml): the
// dashboard is the JSON model Grafana imports (panels with ids, grid positions, a Prometheus data
// source and queries), every query and rule is PromQL that promtool accepts, and every series they
// name is one a real agent exposes on /metrics.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

const DOCS = new URL('../docs/', import.meta.url);
// The dashboard is Grafana's JSON model: its fields are read as Grafana reads them.
const dashboard = JSON.parse(readFileSync(new URL('grafana-bosun.json', DOCS), 'utf8'));
const alerts = parseYaml(readFileSync(new URL('alerts.yml', DOCS), 'utf8')) as {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string }> }>;
};
/** Series Prometheus itself makes for every target. */
const PROMETHEUS_SERIES = new Set(['up']);

/** What Grafana puts in for its variables, so a query reads as the PromQL it sends. */
const expand = (expr: string): string =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*');

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects: identifiers that are not functions, labels or keywords. */
function seriesNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings (label values, label_replace arguments)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    const name = m[1]!;
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

let agent: InProcessAgent;
/** Every sample name the agent's /metrics can show, histogram parts included. */
let exposed: Set<string>;
before(async () => {
  agent = await startInProcessAgent();
  const scraped = await injectClient(agent)('GET', '/metrics');
  assert.equal(scraped.status, 200);
  const text = scraped.text;
  exposed = new Set();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    exposed.add(name!);
    if (type === 'histogram' || type === 'summary') {
      for (const part of ['_bucket', '_sum', '_count']) exposed.add(name! + part);
    }
  }
});
after(() => agent?.stop());

const queryPanels = (): Array<{ title: string; targets: Array<{ expr: string; refId: string }> }> =>
  dashboard.panels.filter((p: { type: string }) => p.type !== 'row');

const promtool = (): boolean => spawnSync('promtool', ['--version']).error === undefined;

describe('the Grafana dashboard', () => {
  it("is Grafana's dashboard model: ids, grid positions, a Prometheus data source", () => {
    assert.equal(typeof dashboard.title, 'string');
    assert.match(dashboard.uid, /^[\w-]{1,40}$/);
    assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36);
    const variables = dashboard.templating.list as Array<{ name: string; type: string }>;
    assert.ok(variables.some((v) => v.name === 'datasource' && v.type === 'datasource'));
    const ids = new Set<number>();
    for (const panel of dashboard.panels) {
      assert.ok(Number.isInteger(panel.id) && !ids.has(panel.id), `panel id ${panel.id}`);
      ids.add(panel.id);
      const { h, w, x, y } = panel.gridPos;
      for (const n of [h, w, x, y]) assert.ok(Number.isInteger(n) && n >= 0, panel.title);
      assert.ok(x + w <= 24, `${panel.title} is wider than the grid`);
    }
    for (const panel of queryPanels()) {
      assert.ok(['timeseries', 'stat'].includes((panel as { type?: string }).type ?? ''));
      assert.deepEqual((panel as { datasource?: unknown }).datasource, {
        type: 'prometheus',
        uid: '${datasource}',
      });
      assert.ok(panel.targets.length > 0, `${panel.title} has no query`);
      const refIds = panel.targets.map((t) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `${panel.title}: refIds repeat`);
    }
  });

  it('covers host, jobs and pipelines', () => {
    const rows = dashboard.panels
      .filter((p: { type: string }) => p.type === 'row')
      .map((p: { title: string }) => p.title);
    for (const row of ['Host', 'Jobs and runs', 'Pipelines']) assert.ok(rows.includes(row), row);
  });

  it('names only series the agent exposes', () => {
    const missing: string[] = [];
    for (const panel of queryPanels()) {
      for (const target of panel.targets) {
        const names = seriesNames(expand(target.expr));
        assert.ok(names.length > 0, `${panel.title}: no series in ${target.expr}`);
        for (const name of names) {
          if (!exposed.has(name)) missing.push(`${panel.title}: ${name}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('has queries promtool parses', (t) => {
    if (!promtool()) return t.skip('promtool is missing: apt-get install -y prometheus');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-dashboard-'));
    try {
      // Each query as a recording rule: `promtool check rules` parses every expression.
      const rules = queryPanels().flatMap((panel, i) =>
        panel.targets.map((target, j) => ({
          record: `dashboard:panel_${i}_${j}`,
          expr: expand(target.expr),
        })),
      );
      const file = path.join(dir, 'dashboard-rules.json');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stdout + result.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the example alert rules', () => {
  it('pass promtool check rules', (t) => {
    if (!promtool()) return t.skip('promtool is missing: apt-get install -y prometheus');
    const file = path.join(new URL(DOCS).pathname, 'alerts.yml');
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /SUCCESS/);
  });

  it('name only series the agent exposes', () => {
    const missing: string[] = [];
    for (const group of alerts.groups) {
      for (const rule of group.rules) {
        for (const name of seriesNames(rule.expr)) {
          if (!exposed.has(name) && !PROMETHEUS_SERIES.has(name)) {
            missing.push(`${rule.alert}: ${name}`);
          }
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('finds the series in a query, not its functions, labels or strings', () => {
    assert.deepEqual(
      seriesNames(
        'sum by (instance, le) (rate(bosun_x_bucket{a="b c"}[5m])) / on (instance) group_left(job) foo_total > bool 2',
      ),
      ['bosun_x_bucket', 'foo_total'],
    );
  });
});
