// A process's arguments as they may be shown: the values of secret flags (`--token X`, `--password=X`),
// of `password=`/`token=`/`secret=` pairs and of URL passwords replaced by ***, so no process listing
// the agent serves (or stores with its samples) shows a secret, the agent's own token included.
import { maskUrlsInText } from '../mask-url.ts';

const MASK = '***';
const SECRET_WORD = /token|password|passwd|secret/i;
/** A flag alone in its argument. */
const FLAG = /^--?[\w.-]+$/;
/** A flag that names where a secret is, not the secret (`--token-file FILE`). */
const NAMES_A_PLACE = /[-_.](?:file|path|dir)$/i;
// The name in these two is matched whole, once (an atomic lookahead and backreference), so that a
// long argument full of "token"s, which any local user can make, cannot make the match quadratic.
/** `--password X` inside one argument (`sh -c "app --password X"`, a rewritten title). */
const FLAG_THEN_VALUE =
  /(?<lead>(?:^|\s)--?(?=[\w.-]*?(?:token|password|passwd|secret))(?=(?<name>[\w.-]+))\k<name>\s+)[^\s-]\S*/gi;
/** `--token=X`, `password=X`, `PGPASSWORD=X`, `?secret=X`. */
const KEY_VALUE =
  /(?<lead>(?:^|[\s?&;])(?=[\w.-]*?(?:token|password|passwd|secret))(?=(?<name>[\w.-]+))\k<name>=)[^\s&;]*/gi;
/** Cheap test first: almost no command line holds any of these. */
const HINT = /token|passw|secret|:\/\//i;

export function maskArgs(args: readonly string[]): string[] {
  if (!args.some((arg) => HINT.test(arg))) return [...args];
  return args.map((arg, i) => {
    const flag = i > 0 ? (args[i - 1] as string) : '';
    // `--token` then `--port`: a bare flag (bosun generates a token), not a value.
    if (isSecretFlag(flag) && !arg.startsWith('-')) return MASK;
    return maskArg(arg);
  });
}

function isSecretFlag(arg: string): boolean {
  return FLAG.test(arg) && SECRET_WORD.test(arg) && !NAMES_A_PLACE.test(arg);
}

/** A match masked, unless its name says where a secret is rather than what it is. */
function maskUnlessPlace(match: string, ...rest: unknown[]): string {
  const { lead, name } = rest.at(-1) as { lead: string; name: string };
  return NAMES_A_PLACE.test(name) ? match : `${lead}${MASK}`;
}

function maskArg(arg: string): string {
  if (!HINT.test(arg)) return arg;
  return maskUrlsInText(
    arg.replace(FLAG_THEN_VALUE, maskUnlessPlace).replace(KEY_VALUE, maskUnlessPlace),
  );
}
