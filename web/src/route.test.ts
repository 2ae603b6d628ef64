import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute, routeHref, type Route } from './route.ts';

test('parseRoute reads the jobs pages and falls back to the host view', () => {
  assert.deepEqual(parseRoute(''), { view: 'host' });
  assert.deepEqual(parseRoute('#/'), { view: 'host' });
  assert.deepEqual(parseRoute('#/jobs'), { view: 'jobs' });
  assert.deepEqual(parseRoute('#/jobs/'), { view: 'jobs' });
  assert.deepEqual(parseRoute('#/jobs/123'), { view: 'job', id: '123' });
  assert.deepEqual(parseRoute('#jobs/nightly%20backup'), { view: 'job', id: 'nightly backup' });
  assert.deepEqual(parseRoute('#/runs/456'), { view: 'run', id: '456' });
  assert.deepEqual(parseRoute('#/runs'), { view: 'host' });
  assert.deepEqual(parseRoute('#/jobs/1/extra'), { view: 'host' });
  assert.deepEqual(parseRoute('#/jobs/%E0%A4%A'), { view: 'job', id: '%E0%A4%A' });
  assert.deepEqual(parseRoute('#/elsewhere'), { view: 'host' });
});

test('routeHref and parseRoute agree', () => {
  const routes: Route[] = [
    { view: 'host' },
    { view: 'jobs' },
    { view: 'job', id: 'a/b c' },
    { view: 'run', id: '374286211936772' },
  ];
  for (const route of routes) assert.deepEqual(parseRoute(routeHref(route)), route);
});
