#!/usr/bin/env node
// Builds the package folder, packs it with `npm pack` into dist/, checks the tarball's file list
// (no tests, no maps, the CLI executable) and prints the tarball's absolute path as the last line.
'use strict';

const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { buildPackage, BuildError, ROOT, FORBIDDEN } = require('./build-package');

function pack() {
  const { dir, manifest } = buildPackage();
  const destination = path.join(ROOT, 'dist');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['pack', '--json', '--pack-destination', destination], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new BuildError(`npm pack failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
  const [result] = JSON.parse(run.stdout);
  const files = new Map(result.files.map((f) => [f.path, f]));

  const problems = [];
  for (const name of files.keys()) if (FORBIDDEN.some((re) => re.test(name))) problems.push(`${name} must not be in the tarball`);
  for (const name of ['package.json', 'README.md', 'LICENSE', 'index.js', 'index.d.ts', 'testing/index.js', 'testing/index.d.ts']) {
    if (!files.has(name)) problems.push(`${name} is missing from the tarball`);
  }
  for (const target of Object.values(manifest.bin ?? {})) {
    const entry = files.get(target.replace(/^\.\//, ''));
    if (!entry) problems.push(`${target} (bin) is missing from the tarball`);
    else if ((entry.mode & 0o111) === 0) problems.push(`${target} (bin) is not executable in the tarball (mode ${entry.mode.toString(8)})`);
  }
  if (problems.length) throw new BuildError(`the tarball is wrong:\n  ${problems.join('\n  ')}`);

  const tarball = path.join(destination, result.filename);
  console.log(`pack-package: ${result.entryCount} files, ${result.size} bytes packed, ${result.unpackedSize} unpacked`);
  console.log(tarball);
  return tarball;
}

try {
  pack();
} catch (error) {
  console.error(`pack-package: ${error instanceof BuildError ? error.message : error.stack}`);
  process.exit(1);
}
