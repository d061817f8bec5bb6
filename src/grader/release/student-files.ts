/** Files written into a student repository by `selfsup release`. */

export function studentReadme(manifest: Array<{ notebook: string; exercises: Array<{ gradeId: string; points: number }> }>): string {
  const rows = manifest
    .filter((m) => m.exercises.length > 0)
    .map((m) => `| ${m.notebook} | ${m.exercises.map((e) => `${e.gradeId} (${e.points})`).join(', ')} |`);
  return `# Self-supervised learning — your notebooks

## Set up

Needs Node.js 20 or newer, and JupyterLab (\`pip install jupyterlab\`) to work interactively.

\`\`\`sh
npm install      # installs the course library and registers the TypeScript kernel for this folder
npm run lab      # opens the notebooks
\`\`\`

## Exercises

Exercise cells say \`// YOUR CODE HERE\`: replace the line \`throw new Error("Not implemented");\`
with your code. Each exercise is followed by a test cell: run it to see which checks pass.
Do not edit test cells or locked cells; the grader uses the original versions anyway.

Check all your notebooks at once, the way the grader runs them (quick mode, a fresh kernel):

\`\`\`sh
npm run check
\`\`\`

When you push, GitHub Classroom grades your work with the same tests, plus hidden ones.

${rows.length > 0 ? `| notebook | exercises (points) |\n|---|---|\n${rows.join('\n')}\n` : ''}`;
}

/**
 * The GitHub Classroom workflow. Hidden tests live in the instructor's private repository:
 * set the repository variable SELFSUP_SOURCE_REPO (owner/name) and the secret
 * SELFSUP_SOURCE_TOKEN (read access) to grade with them; without them only the visible tests run.
 */
export function classroomWorkflow(): string {
  return `name: Autograding Tests
on:
  - push
  - repository_dispatch
  - workflow_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    env:
      HAS_SOURCE: \${{ secrets.SELFSUP_SOURCE_TOKEN != '' && vars.SELFSUP_SOURCE_REPO != '' }}
    steps:
      - name: Checkout the submission
        uses: actions/checkout@v4
      - name: Checkout the instructor's notebooks (hidden tests)
        if: env.HAS_SOURCE == 'true'
        uses: actions/checkout@v4
        with:
          repository: \${{ vars.SELFSUP_SOURCE_REPO }}
          token: \${{ secrets.SELFSUP_SOURCE_TOKEN }}
          path: .instructor
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install
        run: npm ci
      - name: Grade
        id: selfsup
        run: |
          SOURCE=notebooks
          if [ -d .instructor/notebooks ]; then SOURCE=.instructor/notebooks; fi
          npx selfsup grade --source "$SOURCE" . --out grades --classroom
          cat grades/summary.md >> "$GITHUB_STEP_SUMMARY"
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          SELFSUP_RESULTS: "\${{ steps.selfsup.outputs.result }}"
        with:
          runners: selfsup
`;
}
