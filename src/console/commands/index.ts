// The console's commands: a new registry per console, so stateful commands (profiler) keep their
// state per agent rather than in module globals.
import type { ConsoleCommand } from '../command.ts';
import { agentCommand } from './agent.ts';
import { bgCommand } from './bg.ts';
import { catCommand } from './cat.ts';
import { configCommand } from './config.ts';
import { dashboardCommand } from './dashboard.ts';
import { echoCommand } from './echo.ts';
import { fgCommand } from './fg.ts';
import { grepStage } from './grep.ts';
import { heapdumpCommand } from './heapdump.ts';
import { createHelpCommand } from './help.ts';
import { historyCommand } from './history.ts';
import { jobsCommand } from './jobs.ts';
import { killCommand } from './kill.ts';
import { logsCommand } from './logs.ts';
import { memoryCommand } from './memory.ts';
import { monitorCommand } from './monitor.ts';
import { createProfilerCommand } from './profiler.ts';
import { psCommand } from './ps.ts';
import { runCommand } from './run.ts';
import { runsCommand } from './runs.ts';
import { scheduleCommand } from './schedule.ts';
import { sessionCommand } from './session.ts';
import { stopCommand } from './stop.ts';
import { sysenvCommand } from './sysenv.ts';
import { topCommand } from './top.ts';
import { versionCommand } from './version.ts';
import { watchCommand } from './watch.ts';
import { wcStage } from './wc.ts';

export function createCommandRegistry(): ReadonlyMap<string, ConsoleCommand> {
  const registry = new Map<string, ConsoleCommand>();
  const commands: ConsoleCommand[] = [
    createHelpCommand(() => registry.values()),
    versionCommand,
    sessionCommand,
    historyCommand,
    echoCommand,
    catCommand,
    grepStage,
    wcStage,
    sysenvCommand,
    configCommand,
    memoryCommand,
    agentCommand,
    dashboardCommand,
    psCommand,
    topCommand,
    jobsCommand,
    killCommand,
    fgCommand,
    bgCommand,
    scheduleCommand,
    runsCommand,
    runCommand,
    stopCommand,
    logsCommand,
    watchCommand,
    monitorCommand,
    heapdumpCommand,
    createProfilerCommand(),
  ];
  for (const command of commands) registry.set(command.name, command);
  return registry;
}
