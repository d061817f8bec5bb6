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
 * The GitHub Classroom workflow. The grader and the hidden tests come from the instructor's
 * private repository, pinned on the instructor's side: set the organisation variable
 * SELFSUP_SOURCE_REPO (owner/name), optionally SELFSUP_SOURCE_REF (a tag or commit; default
 * branch otherwise), and the secret SELFSUP_SOURCE_TOKEN (read access). Nothing of the
 * student's repository is installed or run but its notebooks, which the grader runs sandboxed:
 * the submission and the instructor's repository are checked out side by side (neither inside
 * the other), without persisted credentials. Without the variable and the secret the job fails
 * and says what to set, rather than grade with the student's own copy of the grader.
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
    steps:
      - name: Check the grading setup
        env:
          SOURCE_REPO: \${{ vars.SELFSUP_SOURCE_REPO }}
          HAS_TOKEN: \${{ secrets.SELFSUP_SOURCE_TOKEN != '' }}
        run: |
          if [ -z "$SOURCE_REPO" ] || [ "$HAS_TOKEN" != "true" ]; then
            echo "::error::Grading needs the instructor's repository: set the organisation variable SELFSUP_SOURCE_REPO (owner/name) and the secret SELFSUP_SOURCE_TOKEN (read access)."
            exit 1
          fi
      - name: Checkout the submission
        uses: actions/checkout@v4
        with:
          path: submission
          persist-credentials: false
      - name: Checkout the instructor's repository (the grader and the hidden tests)
        uses: actions/checkout@v4
        with:
          repository: \${{ vars.SELFSUP_SOURCE_REPO }}
          ref: \${{ vars.SELFSUP_SOURCE_REF }}
          token: \${{ secrets.SELFSUP_SOURCE_TOKEN }}
          path: instructor
          persist-credentials: false
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install the grader from the instructor's repository
        working-directory: instructor
        run: npm ci
      - name: Prepare the course data (sandboxed kernels can neither download nor write it)
        working-directory: instructor
        run: node dist/cli.js data
      - name: Install the submission sandbox
        run: sudo apt-get install -y bubblewrap || echo "bubblewrap is not available; the grader uses Node's permission model"
      - name: Grade
        id: selfsup
        run: |
          node instructor/dist/cli.js grade --source instructor/notebooks submission --out grades --submission-timeout 1800 --classroom
          cat grades/summary.md >> "$GITHUB_STEP_SUMMARY"
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          SELFSUP_RESULTS: "\${{ steps.selfsup.outputs.result }}"
        with:
          runners: selfsup
`;
}
