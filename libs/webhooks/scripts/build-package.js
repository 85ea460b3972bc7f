#!/usr/bin/env node
// Builds the publishable folder of nestjs-payment-webhooks (dist/libs/webhooks): compiled JS and
// declarations, package.json from libs/webhooks/package.json, README.md and LICENSE.
// It fails when the output imports a module that package.json does not declare, so the dependency
// list stays honest. Plain Node; uses the repository's own @nestjs/cli and typescript.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { isBuiltin } = require('node:module');
const { spawnSync } = require('node:child_process');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LIB = path.join(ROOT, 'libs', 'webhooks');
const OUT = path.join(ROOT, 'dist', 'libs', 'webhooks');
const SELF = 'nestjs-payment-webhooks';
// Files that must never reach the package: tests, test helpers, dev entry points, maps, build state.
const FORBIDDEN = [/\.spec\./, /\.for-spec\./, /\.main\.(js|d\.ts)$/, /\.map$/, /\.tsbuildinfo$/];

class BuildError extends Error {}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function compile() {
  fs.rmSync(OUT, { recursive: true, force: true });
  const nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] });
  const run = spawnSync(process.execPath, [nest, 'build', 'webhooks'], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new BuildError(`nest build webhooks failed (exit ${run.status ?? run.signal})`);
}

/** Every module specifier a built file loads: require/import() in JS, imports and references in .d.ts. */
function specifiersOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found = [];
  const where = (node) => `${path.relative(OUT, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  const add = (node, literal) => {
    if (literal && ts.isStringLiteralLike(literal)) found.push({ spec: literal.text, at: where(node) });
    else found.push({ spec: null, at: where(node) });
  };
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) {
        add(node, node.arguments[0]);
      }
    } else if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      add(node, node.moduleSpecifier);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const ref of source.typeReferenceDirectives) {
    found.push({ spec: ref.fileName, at: `${path.relative(OUT, file)} (/// reference types)` });
  }
  return found;
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function checkImports(files, manifest) {
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const problems = [];
  const used = new Map();
  for (const file of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
    for (const { spec, at } of specifiersOf(file)) {
      if (spec === null) {
        problems.push(`${at}: a module loaded by a computed name cannot be checked; load it by a string literal`);
        continue;
      }
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        const candidates = [target, `${target}.js`, `${target}.d.ts`, path.join(target, 'index.js'), path.join(target, 'index.d.ts')];
        if (!candidates.some((c) => fs.existsSync(c) && fs.statSync(c).isFile())) problems.push(`${at}: "${spec}" is not in the package`);
        continue;
      }
      // @types/node provides the builtins' declarations; `/// <reference types="node" />` is one of them.
      if (isBuiltin(spec) || spec === 'node') continue;
      const name = packageName(spec);
      if (name === SELF) {
        problems.push(`${at}: imports "${spec}" (the package itself, through the tsconfig paths); import it relatively`);
        continue;
      }
      if (!used.has(name)) used.set(name, at);
      if (!declared.has(name)) {
        problems.push(`${at}: loads "${spec}", but "${name}" is not in dependencies or peerDependencies of libs/webhooks/package.json`);
      }
    }
  }
  return { problems, used };
}

function checkLayout(files, manifest) {
  const problems = [];
  for (const file of files) {
    const rel = path.relative(OUT, file);
    if (FORBIDDEN.some((re) => re.test(rel))) problems.push(`${rel}: must not be in the package (tsconfig.lib.json should exclude it)`);
  }
  const targets = [['main', manifest.main], ['types', manifest.types]];
  const collect = (value, where) => {
    if (typeof value === 'string') targets.push([where, value]);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, `${where}[${JSON.stringify(k)}]`);
  };
  collect(manifest.exports, 'exports');
  collect(manifest.bin, 'bin');
  for (const [field, target] of targets) {
    if (!target) problems.push(`package.json has no ${field}`);
    else if (path.basename(target) !== 'package.json' && !fs.existsSync(path.join(OUT, target))) {
      problems.push(`package.json ${field} = "${target}", but the build has no such file`);
    }
  }
  return problems;
}

function finish(manifest) {
  for (const target of Object.values(manifest.bin ?? {})) {
    const file = path.join(OUT, target);
    const firstLine = fs.readFileSync(file, 'utf8').split('\n', 1)[0];
    if (firstLine !== '#!/usr/bin/env node') {
      throw new BuildError(`${target} starts with "${firstLine}", not "#!/usr/bin/env node" (its source must start with that line)`);
    }
    fs.chmodSync(file, 0o755);
  }
  fs.writeFileSync(path.join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.copyFileSync(path.join(ROOT, 'README.md'), path.join(OUT, 'README.md'));
  fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(OUT, 'LICENSE'));
}

function buildPackage() {
  const manifest = JSON.parse(fs.readFileSync(path.join(LIB, 'package.json'), 'utf8'));
  compile();
  const files = walk(OUT);
  const layout = checkLayout(files, manifest);
  const { problems, used } = checkImports(files, manifest);
  const all = [...layout, ...problems];
  if (all.length) throw new BuildError(`the package is not publishable:\n  ${all.join('\n  ')}`);
  finish(manifest);
  const loaded = [...used.keys()].sort().join(', ');
  console.log(`build-package: ${path.relative(ROOT, OUT)} (${manifest.name}@${manifest.version}), modules loaded: ${loaded}`);
  return { dir: OUT, manifest };
}

module.exports = { buildPackage, BuildError, OUT, ROOT, FORBIDDEN };

if (require.main === module) {
  try {
    buildPackage();
  } catch (error) {
    console.error(`build-package: ${error instanceof BuildError ? error.message : error.stack}`);
    process.exit(1);
  }
}
