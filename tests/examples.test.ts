import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { repoRoot } from './helpers/notebooks';

// Every `@example` in the library's TSDoc is code a learner will copy into a cell: it must
// type-check against the real API. Each example becomes the body of an async function in a
// file that imports everything `selfsup` exports (as a notebook does). The example's own
// free variables (x, encoder, recipe, ...: lower-case names it assumes exist) are declared
// `any`; anything else that fails, a misspelt class, a wrong option, a wrong argument count,
// fails the test.
const srcDir = path.join(repoRoot, 'src');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

interface Example { file: string; line: number; code: string }

function examples(): Example[] {
  const found: Example[] = [];
  for (const file of walk(srcDir)) {
    if (file.includes(`${path.sep}grader${path.sep}`) || file.includes(`${path.sep}jupyter${path.sep}`)) continue; // not the notebook API
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*\*\s*@example\b/.test(lines[i])) continue;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !/^\s*\*\s*@\w+/.test(lines[j]) && !/\*\//.test(lines[j]); j++) body.push(lines[j].replace(/^\s*\* ?/, ''));
      if (body.join('').trim()) found.push({ file: path.relative(repoRoot, file), line: i + 1, code: body.join('\n') });
    }
  }
  return found;
}

test('every @example in src/ type-checks against the exported API', () => {
  const all = examples();
  assert.ok(all.length >= 60, `found ${all.length} examples`);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2020.d.ts'], types: ['node'], strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true,
  };
  const index = path.join(srcDir, 'index.ts');
  // The names selfsup exports (values and types), from the compiler itself.
  const base = ts.createProgram([index], options);
  const checker = base.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(base.getSourceFile(index)!)!;
  const names = checker.getExportsOfModule(moduleSymbol).map((s) => s.name);
  const header = `import * as tf from '@tensorflow/tfjs';\nimport { ${names.join(', ')} } from '${index.replace(/\\/g, '/').replace(/\.ts$/, '')}';\n`;
  const virtual = (i: number) => path.join(srcDir, `__example_${i}.ts`);
  const sources = new Map<string, string>();
  const compile = (declared: Map<number, Set<string>>) => {
    all.forEach((e, i) => {
      const decls = [...(declared.get(i) ?? [])].map((n) => `declare const ${n}: any;\n`).join('');
      sources.set(virtual(i), `${header}${decls}export async function example(): Promise<void> {\n${e.code}\n}\n`);
    });
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => sources.get(path.resolve(f)) ?? read(f);
    host.fileExists = (f) => sources.has(path.resolve(f)) || ts.sys.fileExists(f);
    host.getSourceFile = (f, lang) => {
      const text = sources.get(path.resolve(f));
      return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang);
    };
    const program = ts.createProgram([...sources.keys()], options, host, base);
    return all.map((_, i) => ts.getPreEmitDiagnostics(program, program.getSourceFile(virtual(i))));
  };
  // Find the free lower-case names each example assumes (TypeScript reports some only once
  // others are declared, so repeat until nothing new turns up), then check with them declared.
  const declared = new Map<number, Set<string>>();
  for (let pass = 0; pass < 4; pass++) {
    let added = 0;
    compile(declared).forEach((diags, i) => {
      for (const d of diags) {
        // "Cannot find name 'x'" (2304 and its variants) or a shorthand property { data } with no such variable (18004)
        const m = /(?:^Cannot find name|shorthand property) '([a-z_$][\w$]*)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        const names = declared.get(i) ?? declared.set(i, new Set()).get(i)!;
        if (m && !names.has(m[1])) {
          names.add(m[1]);
          added++;
        }
      }
    });
    if (added === 0) break;
  }
  const failures = compile(declared).flatMap((diags, i) =>
    diags.map((d) => `${all[i].file}:${all[i].line} @example: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`),
  );
  assert.deepEqual(failures, []);
});
