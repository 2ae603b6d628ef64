// Streams a run's output as text items of whole lines: the log so far, then live output until the run
// ends or `signal` aborts. Shared by `logs -f`, `run -f` and `watch run`.
import type { JobsService } from '../../../jobs/jobs-service.ts';
import type { TextItem } from '../../items.ts';
import { createLogText } from './log-text.ts';

export async function followRun(
  jobs: JobsService,
  runId: string,
  signal: AbortSignal,
  emit: (item: TextItem) => void,
): Promise<void> {
  const text = createLogText();
  for await (const chunk of jobs.followLog(runId, signal)) {
    if (signal.aborted) return;
    for (const item of text.push(chunk)) emit(item);
  }
  if (signal.aborted) return;
  for (const item of text.end()) emit(item);
}
