// Arthas's class and method commands (sc, sm, watch, trace, stack, tt, monitor) over a class pattern:
// bosun's agent has no Java classes, so every pattern matches nothing, and each answers exactly as
// Arthas does then: sc and sm an empty, successful search (a row count of 0), the instrumenting ones
// an `enhancer` item that affected nothing and status -1. Their options are Arthas's, so that its
// clients' command lines parse.
import type { ParseArgsOptionsConfig } from 'node:util';
import type { CommandContext } from '../../command.ts';
import type { EnhancerItem, RowAffectItem } from '../../items.ts';
import { CommandFailure, STATUS } from '../../model.ts';

/** The options every instrumenting command takes (Arthas's EnhancerCommand). */
export const ENHANCER_OPTIONS: ParseArgsOptionsConfig = {
  'exclude-class-pattern': { type: 'string' },
  classloader: { type: 'string' },
  listenerId: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  maxMatch: { type: 'string', short: 'm' },
  timeout: { type: 'string' },
  lazy: { type: 'boolean', short: 'L' },
  regex: { type: 'boolean', short: 'E' },
  limits: { type: 'string', short: 'n' },
};

/** An empty, successful search: what Arthas's sc and sm answer when no class matches. */
export function noRows(ctx: CommandContext): void {
  const item: RowAffectItem = { type: 'row_affect', rowCount: 0 };
  ctx.emit(item);
}

/** What Arthas answers when an instrumenting command matched no class: an enhancer item and -1. */
export function noClassAffected(ctx: CommandContext, hint: string): never {
  const item: EnhancerItem = {
    type: 'enhancer',
    success: false,
    effect: { cost: 0, methodCount: 0, classCount: 0, listenerId: 0 },
    message: 'No class or method is affected',
  };
  ctx.emit(item);
  throw new CommandFailure(
    `No class or method is affected: bosun's agent runs no Java classes, so no class pattern matches. ${hint}`,
    STATUS.FAILED,
  );
}
