// End-to-end test of a pipeline run's page: the real agent and Debian's Chromium. A job submitted
// through SeaTunnel's REST API shows its DAG with live counts; "Stop with savepoint" ends it
// SAVEPOINT_DONE. A screenshot goes to test-results/ for a human to look at.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  browserWithAgent,
  errorsOf,
  newContext,
  openPage,
  RESULTS,
  skipBrowser,
} from './support/browser.ts';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

describe('dashboard pipeline page', { skip: skipBrowser, timeout: SUITE_TIMEOUT_MS }, () => {
  const t = browserWithAgent();

  test('shows the DAG with growing counts, and stops the run with a savepoint', async () => {
    const submitted = (await (
      await fetch(`${t.agent.url}/submit-job?jobName=fake_to_console`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          env: { 'job.mode': 'STREAMING', 'checkpoint.interval': 500 },
          source: [
            {
              plugin_name: 'FakeSource',
              result_table_name: 'fake',
              'row.num': 2000,
              'split.num': 100,
              'split.read-interval': 200,
              schema: { fields: { name: 'string', age: 'int' } },
            },
          ],
          transform: [
            {
              plugin_name: 'Filter',
              source_table_name: 'fake',
              result_table_name: 'adults',
              include_fields: ['name'],
            },
          ],
          sink: [{ plugin_name: 'Console', source_table_name: 'adults', 'log.print.data': false }],
        }),
      })
    ).json()) as { jobId: string };
    // A job submitted without a jobId is known by its bosun id.
    const { runs } = (await (
      await fetch(`${t.agent.url}/api/v1/runs?jobId=${submitted.jobId}`)
    ).json()) as {
      runs: Array<{ id: string }>;
    };
    const runId = runs[0]?.id as string;

    const context = await newContext(t.browser, { viewport: { width: 1280, height: 900 } });
    try {
      const page = await openPage(context);
      await page.goto(`${t.agent.url}/#/runs/${runId}`);
      await page.waitForSelector('[data-testid="pipeline-dag"]');
      assert.equal(await page.textContent('[data-testid="pipeline-status"]'), 'RUNNING');
      const boxes = await page.$$eval('[data-testid="pipeline-dag"] .dag-title', (nodes) =>
        nodes.map((n) => n.textContent),
      );
      assert.deepEqual(boxes, ['FakeSource', 'Filter', 'Console']);
      const sourceCount = async () =>
        Number(
          ((await page.textContent('[data-vertex="1"]')) ?? '')
            .replace(/[^\d].*$/, '')
            .replaceAll(',', '') || 0,
        );
      const first = await sourceCount();
      await page.waitForFunction(
        (n) =>
          Number(
            (document.querySelector('[data-vertex="1"]')?.textContent ?? '0')
              .split(' ')[0]
              ?.replaceAll(',', ''),
          ) > n,
        first,
        { timeout: 15_000 },
      );
      // A rate shows from the second reading on.
      await page.waitForFunction(
        () =>
          /rows · [\d,]+\/s/.test(document.querySelector('[data-vertex="3"]')?.textContent ?? ''),
        undefined,
        { timeout: 15_000 },
      );
      await page.screenshot({ path: path.join(RESULTS, 'pipeline-running.png') });

      await page.click('[data-testid="stop-savepoint"]');
      await page.waitForSelector('[data-testid="pipeline-status"][data-state="SAVEPOINT_DONE"]', {
        timeout: 20_000,
      });
      const info = (await (await fetch(`${t.agent.url}/job-info/${submitted.jobId}`)).json()) as {
        jobStatus: string;
      };
      assert.equal(info.jobStatus, 'SAVEPOINT_DONE');
      assert.equal(await page.isHidden('[data-testid="stop-savepoint"]'), true);
      await page.screenshot({ path: path.join(RESULTS, 'pipeline.png') });
      assert.deepEqual(errorsOf(page), []);
    } finally {
      await context.close();
    }
  });
});
