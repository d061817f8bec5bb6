import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringifyNotebook } from '../../jupyter/notebook';
import { gradeIdOf, pointsOf, roleOf } from '../nbgrader-metadata';
import { classroomWorkflow, studentReadme } from './student-files';
import type { ReleaseStep } from './context';

/** What of the course checkout a student repository needs (besides the student notebooks). */
const COPIED = ['src', 'testing', 'patches', 'checkpoints', 'scripts/reference/results', 'tsconfig.json', 'package-lock.json', 'data/README.md', 'data/checksums', 'LICENSE'];

/** The student package.json: the course's, with only the scripts a learner uses. */
function studentPackageJson(root: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const s = pkg.scripts ?? {};
  pkg.scripts = {
    build: s.build,
    postinstall: s.postinstall,
    prepare: s.prepare,
    lab: s.lab,
    'kernel:install': s['kernel:install'],
    data: s.data,
    check: 'node dist/cli.js check',
  };
  for (const k of Object.keys(pkg.scripts)) if (pkg.scripts[k] === undefined) delete pkg.scripts[k];
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** Writes the student repository into the staging folder. Must run after makeStudentNotebooks. */
export const writeStudentRepo: ReleaseStep = (ctx) => {
  const root = ctx.options.root!;
  for (const item of COPIED) {
    const from = path.join(root, item);
    if (!fs.existsSync(from)) continue;
    // checkpoints/: the committed course checkpoints, not a run in progress (.work, *.partial-*)
    fs.cpSync(from, path.join(ctx.staging, item), { recursive: true, filter: (src) => !/[\\/]\.work([\\/]|$)|\.partial-/.test(src) });
  }
  fs.writeFileSync(path.join(ctx.staging, 'package.json'), studentPackageJson(root));
  fs.writeFileSync(path.join(ctx.staging, '.gitignore'), ['node_modules/', 'dist/', '.jupyter/', 'data/cifar10/', 'grades/', '.ipynb_checkpoints/', 'checkpoints/.work/', ''].join('\n'));
  fs.mkdirSync(path.join(ctx.staging, 'notebooks'), { recursive: true });
  const manifest: Array<{ notebook: string; exercises: Array<{ gradeId: string; points: number }> }> = [];
  for (const [name, nb] of ctx.student) {
    fs.writeFileSync(path.join(ctx.staging, 'notebooks', name), stringifyNotebook(nb));
    manifest.push({
      notebook: name,
      exercises: nb.cells.filter((c) => roleOf(c) === 'test').map((c) => ({ gradeId: gradeIdOf(c)!, points: pointsOf(c) })),
    });
  }
  fs.writeFileSync(path.join(ctx.staging, 'README.md'), studentReadme(manifest));
  fs.mkdirSync(path.join(ctx.staging, '.github', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(ctx.staging, '.github', 'workflows', 'classroom.yml'), classroomWorkflow());
  fs.mkdirSync(path.join(ctx.staging, '.selfsup'), { recursive: true });
  fs.writeFileSync(path.join(ctx.staging, '.selfsup', 'release.json'), JSON.stringify({ releasedAt: new Date().toISOString(), notebooks: manifest }, null, 2) + '\n');
};
