// Builds what `npm pack` ships (package.json runs it as `prepack`, and with --clean as `postpack`):
//
//   dist/                 src/ as JavaScript, file by file (esbuild strips the types; Node refuses to
//                         strip them under node_modules), relative `.ts` specifiers rewritten to `.js`,
//                         the spawn helper copied beside its module; no tests, no fixtures
//   dist/bosun            the launcher the package's `bin` names: runs dist/main.js on the Node 24 of
//                         the `node` dependency, else on a system Node 24 or newer
//
// The dependencies the agent runs with travel inside the tarball (package.json's bundleDependencies, as
// installed here from package-lock.json): an install gets exactly the versions the project was tested
// with and needs no registry for them. Only `node` (Node 24 itself, ~120 MB) is fetched at install.
// A dependency of which bosun loads one file travels as that file (see CARRIED_IN_PART).
//
//   node scripts/build-dist.ts           build (the dashboard is built by `npm run build` before it)
//   node scripts/build-dist.ts --clean   remove dist/ again
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'src');
const outDir = path.join(root, 'dist');

/** Source files that are not shipped: tests, their helpers and the fixtures they read. */
const NOT_SHIPPED = [/\.test\.ts$/, /-test-support\.ts$/, /^monitor\/fixtures\//];

/**
 * Dependencies the package carries in part: devDependencies of which bosun loads one file, bundled by
 * esbuild with what that file requires into dist/node_modules/<name>/<file> (beside the package's
 * package.json and LICENSE), where Node's resolution finds it from every module under dist/. Of
 * node-sql-parser's 89 MB (every dialect, source maps) bosun loads the PostgreSQL grammar, 0.5 MB with
 * big-integer.
 */
const CARRIED_IN_PART: Record<string, string> = {
  'node-sql-parser': 'build/postgresql.js',
};

const LAUNCHER = `#!/bin/sh
# bosun as installed from its package: runs dist/main.js on the Node 24 that came with it (the \`node\`
# dependency), else on a system Node 24 or newer. Written by scripts/build-dist.ts.
self=$(readlink -f "$0")
root=$(dirname "$(dirname "$self")")
node="$root/node_modules/.bin/node"
if [ ! -x "$node" ]; then
  node=$(command -v node || true)
  major=$("\${node:-false}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 24 ]; then
    echo "bosun: needs Node.js 24 or newer; reinstall the package (its node dependency brings it)" >&2
    exit 1
  fi
fi
exec "$node" "$root/dist/main.js" "$@"
`;

if (process.argv.includes('--clean')) {
  await rm(outDir, { recursive: true, force: true });
} else {
  const started = performance.now();
  await rm(outDir, { recursive: true, force: true });
  const files = await sourceFiles(srcDir);
  for (const rel of files) {
    const from = path.join(srcDir, rel);
    const to = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    await mkdir(path.dirname(to), { recursive: true });
    if (!rel.endsWith('.ts')) {
      await copyFile(from, to); // the spawn helper: run by perl, kept executable
      await chmod(to, 0o755);
      continue;
    }
    const { code } = await esbuild.transform(await readFile(from, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      target: 'node24',
      sourcefile: path.relative(root, from),
    });
    await writeFile(to, rewriteSpecifiers(code));
  }
  for (const [name, file] of Object.entries(CARRIED_IN_PART)) {
    const from = path.join(root, 'node_modules', name);
    const to = path.join(outDir, 'node_modules', name);
    await esbuild.build({
      entryPoints: [path.join(from, file)],
      outfile: path.join(to, file),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      logLevel: 'warning',
    });
    for (const meta of ['package.json', 'LICENSE']) {
      await copyFile(path.join(from, meta), path.join(to, meta));
    }
  }
  await writeFile(path.join(outDir, 'bosun'), LAUNCHER, { mode: 0o755 });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`build-dist: ${files.length} files into dist/ in ${ms} ms\n`);
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((rel) => !NOT_SHIPPED.some((re) => re.test(rel)))
    .sort();
}

/**
 * `./x.ts` and `../y/z.ts` in string literals become `.js`: import and export specifiers, dynamic
 * imports and the `new URL('../main.ts', import.meta.url)` paths of scripts started as processes.
 */
export function rewriteSpecifiers(code: string): string {
  return code.replace(/(['"`])(\.{1,2}\/[^'"`\s]*?)\.ts\1/g, '$1$2.js$1');
}
