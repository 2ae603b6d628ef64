// Builds the dashboard: web/src → web/dist/{index.html, app.js, app.css}, bundled and minified by
// esbuild (uPlot's CSS included) in well under a second. index.html references the assets with a
// content hash (?v=…) so a browser never pairs a new page with a cached old script after an upgrade.
//
//   node scripts/build-web.ts              build once
//   node scripts/build-web.ts --sourcemap  also write app.js.map / app.css.map
//   node scripts/build-web.ts --watch      rebuild on change (implies --sourcemap)
import { createHash } from 'node:crypto';
import { watch as watchFile } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'web', 'src');
const outDir = path.join(root, 'web', 'dist');

const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const sourcemap = watch || args.has('--sourcemap');

/**
 * Writes a file whole or not at all (a dotfile renamed over it): an agent starting meanwhile (a test
 * beside `npm pack`, which builds) reads the old file or the new one, never half of one.
 */
async function writeAtomically(file: string, contents: string | Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(temp, contents);
  await rename(temp, file);
}

/** Writes esbuild's in-memory output plus index.html with hashed asset URLs. */
const writeOutput: esbuild.Plugin = {
  name: 'write-output',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length > 0 || !result.outputFiles) return;
      const started = performance.now();
      await mkdir(outDir, { recursive: true });
      const hashes = new Map<string, string>();
      for (const file of result.outputFiles) {
        await writeAtomically(file.path, file.contents);
        const name = path.basename(file.path);
        hashes.set(name, createHash('sha256').update(file.contents).digest('hex').slice(0, 10));
      }
      // Overwrite, then drop leftovers (an old .map): the directory is never empty, so an agent
      // starting during a build still finds a dashboard.
      for (const name of await readdir(outDir)) {
        if (name !== 'index.html' && !hashes.has(name) && !name.startsWith('.')) {
          await rm(path.join(outDir, name), { force: true });
        }
      }
      let html = await readFile(path.join(srcDir, 'index.html'), 'utf8');
      for (const asset of ['app.js', 'app.css']) {
        const hash = hashes.get(asset);
        if (!hash) throw new Error(`build produced no ${asset}`);
        html = html.replaceAll(`"./${asset}"`, `"./${asset}?v=${hash}"`);
      }
      await writeAtomically(path.join(outDir, 'index.html'), html);
      if (watch) console.log(`web: rebuilt in ${Math.round(performance.now() - started)} ms`);
    });
  },
};

const options: esbuild.BuildOptions = {
  absWorkingDir: root,
  entryPoints: [
    { in: path.join(srcDir, 'main.ts'), out: 'app' },
    { in: path.join(srcDir, 'app.css'), out: 'app' },
  ],
  outdir: outDir,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  // The CSS relies on light-dark() and color-mix(): browsers from 2024 on.
  target: ['es2022', 'chrome123', 'firefox120', 'safari17.5'],
  charset: 'utf8',
  sourcemap: sourcemap ? 'linked' : false,
  write: false,
  logLevel: 'warning',
  plugins: [writeOutput],
};

const started = performance.now();
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  // index.html is not part of esbuild's module graph; watch it separately.
  watchFile(path.join(srcDir, 'index.html'), () => void ctx.rebuild().catch(() => {}));
  console.log(`web: watching ${path.relative(root, srcDir)} → ${path.relative(root, outDir)}`);
} else {
  const result = await esbuild.build(options);
  if (result.errors.length > 0) process.exitCode = 1;
  else {
    console.log(
      `web: built ${path.relative(root, outDir)} in ${Math.round(performance.now() - started)} ms`,
    );
  }
}
