// Shell completion: `bosun completion bash|zsh|fish` prints a small script that, at each Tab, asks
// `bosun __complete <words…>` what may come next (the way cobra's and npm's completions work). The
// candidates are read from the same commander tree that parses the command line, so they cannot
// drift from it, and job names and run ids come from the agent itself.
import type { Argument, Command, Option } from 'commander';
import { createClient, resolveConnection } from './client.ts';
import type { ApiJob, ApiRun } from './api-types.ts';
import type { Shell } from './shells.ts';

export interface Candidate {
  value: string;
  description: string;
}

/** Words to offer, or "let the shell complete a file name". */
export type Completion = { files: true } | { files: false; candidates: Candidate[] };

/** Looks up what the agent has: job names or run ids starting with `prefix`. */
export type AgentLookup = (
  what: 'job' | 'run',
  prefix: string,
  flags: { url?: string; token?: string },
) => Promise<Candidate[]>;

const FILES: Completion = { files: true };
const words = (candidates: Candidate[]): Completion => ({ files: false, candidates });

/**
 * What may follow `bosun <words>`, the last word being the one under the cursor (empty at a new
 * word). Commander's own help subcommand and hidden commands are not offered.
 */
export async function complete(
  program: Command,
  line: readonly string[],
  lookup?: AgentLookup,
): Promise<Completion> {
  let cmd = program;
  let positional = 0;
  const flags: Record<string, string> = {};
  const done = line.slice(0, -1);
  for (let i = 0; i < done.length; i++) {
    const word = done[i] as string;
    if (word.startsWith('-') && word.length > 1) {
      const [name, inline] = splitInline(word);
      const option = findOption(cmd, name);
      if (option?.required) {
        const value = inline ?? done[++i];
        if (value !== undefined && option.long) flags[option.long.slice(2)] = value;
      }
      continue;
    }
    const sub = positional === 0 ? findCommand(cmd, word) : undefined;
    if (sub) cmd = sub;
    else positional++;
  }

  const current = line.at(-1) ?? '';
  const previous = done.at(-1);
  const ask = (what: 'job' | 'run') => lookupSafely(lookup, what, current, flags);
  if (previous?.startsWith('-') && !previous.includes('=')) {
    const option = findOption(cmd, previous);
    if (option?.required) return valueOf(option.flags, option.argChoices, current, ask);
  }
  if (current.startsWith('-')) {
    const [name, inline] = splitInline(current);
    if (inline !== undefined) {
      const option = findOption(cmd, name);
      if (!option?.required) return words([]);
      const values = await valueOf(option.flags, option.argChoices, inline, ask);
      if (values.files) return values;
      return words(values.candidates.map((c) => ({ ...c, value: `${name}=${c.value}` })));
    }
    return words(matching(optionsOf(cmd), current));
  }
  const subcommands = visibleCommands(cmd);
  if (subcommands.length > 0 && positional === 0) {
    return words(
      matching(
        subcommands.map((c) => ({ value: c.name(), description: c.description() })),
        current,
      ),
    );
  }
  const argument: Argument | undefined = cmd.registeredArguments[positional];
  if (argument === undefined) return words([]);
  return valueOf(`<${argument.name()}>`, argument.argChoices, current, ask);
}

/** The script a shell sources; `bosun` is called as the user typed it. */
export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}

/** What `bosun __complete` prints: a first line `files` or `words`, then `value<TAB>description` lines. */
export function renderCompletion(completion: Completion): string {
  if (completion.files) return 'files\n';
  const lines = completion.candidates.map((c) =>
    c.description === '' ? c.value : `${c.value}\t${oneLine(c.description)}`,
  );
  return ['words', ...lines].join('\n') + '\n';
}

/** Asks the agent (named by --url/--token in the line, else BOSUN_URL/BOSUN_TOKEN), briefly. */
export function agentLookup(
  env: Readonly<Record<string, string | undefined>>,
  fetchImpl: typeof fetch = globalThis.fetch,
  timeoutMs = 1000,
): AgentLookup {
  return async (what, prefix, flags) => {
    const timed: typeof fetch = (input, init) =>
      fetchImpl(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const client = createClient(resolveConnection(flags, env), timed);
    if (what === 'job') {
      const query = new URLSearchParams({ limit: '100' });
      if (prefix !== '') query.set('name', prefix);
      const { jobs } = await client.request<{ jobs: ApiJob[] }>('GET', `/api/v1/jobs?${query}`);
      return jobs.map((j) => ({ value: j.name, description: j.cmd || j.kind }));
    }
    const { runs } = await client.request<{ runs: ApiRun[] }>('GET', '/api/v1/runs?limit=50');
    return matching(
      runs.map((r) => ({ value: r.id, description: `${r.jobName ?? r.jobId} ${r.state}` })),
      prefix,
    );
  };
}

async function valueOf(
  flags: string,
  choices: readonly string[] | undefined,
  current: string,
  ask: (what: 'job' | 'run') => Promise<Candidate[]>,
): Promise<Completion> {
  if (choices !== undefined) {
    return words(
      matching(
        choices.map((value) => ({ value, description: '' })),
        current,
      ),
    );
  }
  if (/<job>/.test(flags)) return words(await ask('job'));
  if (/<run>/.test(flags)) return words(await ask('run'));
  if (/<file>/.test(flags)) return FILES;
  // Anything else (a URL, a number, a directory): the shell's own completion does no harm.
  return FILES;
}

/** No agent, a slow one or a refusal: nothing to offer, never an error at the prompt. */
async function lookupSafely(
  lookup: AgentLookup | undefined,
  what: 'job' | 'run',
  prefix: string,
  flags: { url?: string; token?: string },
): Promise<Candidate[]> {
  if (lookup === undefined) return [];
  try {
    return await lookup(what, prefix, flags);
  } catch {
    return [];
  }
}

function splitInline(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return eq > 0 && word.startsWith('--')
    ? [word.slice(0, eq), word.slice(eq + 1)]
    : [word, undefined];
}

function findOption(cmd: Command, flag: string): Option | undefined {
  return cmd.options.find((o) => o.long === flag || o.short === flag);
}

function findCommand(cmd: Command, name: string): Command | undefined {
  return visibleCommands(cmd).find((c) => c.name() === name || c.aliases().includes(name));
}

function visibleCommands(cmd: Command): Command[] {
  // Commander marks a hidden command only in a private field; bosun's one hidden command starts
  // with "__".
  return cmd.commands.filter((c) => !c.name().startsWith('__') && c.name() !== 'help');
}

function optionsOf(cmd: Command): Candidate[] {
  const options = cmd.options
    .filter((o) => !o.hidden)
    .flatMap((o) =>
      (o.long ?? o.short)
        ? [{ value: (o.long ?? o.short) as string, description: o.description }]
        : [],
    );
  return [...options, { value: '--help', description: 'show help' }];
}

function matching(candidates: Candidate[], prefix: string): Candidate[] {
  return candidates.filter((c) => c.value.startsWith(prefix));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const SCRIPTS: Readonly<Record<Shell, string>> = {
  bash: `# bosun completion for bash: add to ~/.bashrc
#   source <(bosun completion bash)
# or save it as /etc/bash_completion.d/bosun
_bosun() {
  local IFS=$'\\n' line
  local -a out
  out=($("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)) || return
  if [ "\${out[0]}" = files ]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}"))
    return
  fi
  COMPREPLY=()
  for line in "\${out[@]:1}"; do COMPREPLY+=("\${line%%$'\\t'*}"); done
}
complete -F _bosun bosun
`,
  zsh: `#compdef bosun
# bosun completion for zsh: add to ~/.zshrc (after compinit)
#   source <(bosun completion zsh)
# or save it as _bosun in a directory of your $fpath
_bosun() {
  local -a out described
  local line
  out=("\${(@f)$("\${words[1]}" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ \${out[1]} == files ]]; then
    _files
    return
  fi
  for line in "\${(@)out[2,-1]}"; do
    [[ -z $line ]] && continue
    if [[ $line == *$'\\t'* ]]; then
      described+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    else
      described+=("\${line//:/\\\\:}")
    fi
  done
  _describe -t bosun 'bosun' described
}
if [[ \${funcstack[1]} == _bosun ]]; then
  _bosun "$@"
else
  compdef _bosun bosun
fi
`,
  fish: `# bosun completion for fish (3.4 or newer): save it as ~/.config/fish/completions/bosun.fish, or
#   bosun completion fish | source
function __bosun_complete
    set -l words (commandline -opc)
    set -l out ($words[1] __complete -- $words[2..-1] "$(commandline -ct)" 2>/dev/null)
    or return
    if test "$out[1]" = files
        __fish_complete_path (commandline -ct)
    else
        printf '%s\\n' $out[2..-1]
    end
end
complete -c bosun -f -a '(__bosun_complete)'
`,
};
