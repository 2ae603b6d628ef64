// The console's commands: a new registry per console, so stateful commands (profiler, vmoption, the
// GC counter and the options they share) keep their state per agent rather than in module globals.
import type { ConsoleCommand } from '../command.ts';
import { agentCommand } from './agent.ts';
import { bgCommand } from './bg.ts';
import { catCommand } from './cat.ts';
import { configCommand } from './config.ts';
import { createDashboardCommand } from './dashboard.ts';
import { echoCommand } from './echo.ts';
import { fgCommand } from './fg.ts';
import { grepStage } from './grep.ts';
import { heapdumpCommand } from './heapdump.ts';
import { createJvmCommand } from './jvm.ts';
import { createOptionsCommand } from './options.ts';
import { createPerfcounterCommand } from './perfcounter.ts';
import { pwdCommand } from './pwd.ts';
import { resetCommand } from './reset.ts';
import { scCommand, smCommand } from './sc.ts';
import { createConsoleState } from './support/console-state.ts';
import { syspropCommand } from './sysprop.ts';
import { createThreadCommand } from './thread.ts';
import { stackCommand, traceCommand } from './trace.ts';
import { ttCommand } from './tt.ts';
import { createVmoptionCommand } from './vmoption.ts';
import { vmtoolCommand } from './vmtool.ts';
import { createHelpCommand } from './help.ts';
import { historyCommand } from './history.ts';
import { jobsCommand } from './jobs.ts';
import { killCommand } from './kill.ts';
import { logsCommand } from './logs.ts';
import { memoryCommand } from './memory.ts';
import { createMonitorCommand } from './monitor.ts';
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
  const state = createConsoleState();
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
    createDashboardCommand(state),
    createJvmCommand(state),
    syspropCommand,
    createPerfcounterCommand(state),
    createVmoptionCommand(),
    createOptionsCommand(state),
    createThreadCommand(state),
    vmtoolCommand,
    pwdCommand,
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
    createMonitorCommand(state),
    heapdumpCommand,
    createProfilerCommand(state),
    scCommand,
    smCommand,
    traceCommand,
    stackCommand,
    ttCommand,
    resetCommand,
  ];
  for (const command of commands) registry.set(command.name, command);
  return registry;
}
