/**
 * The markers instructors write in cells, as in nbgrader:
 *   // BEGIN SOLUTION … // END SOLUTION          in solution cells: replaced by the stub on release
 *   // BEGIN HIDDEN TESTS … // END HIDDEN TESTS  in test cells: removed on release, restored for grading
 */
export const BEGIN_SOLUTION = '// BEGIN SOLUTION';
export const END_SOLUTION = '// END SOLUTION';
export const BEGIN_HIDDEN = '// BEGIN HIDDEN TESTS';
export const END_HIDDEN = '// END HIDDEN TESTS';
/** What a cleared solution becomes (DESIGN). */
export const STUB_LINES = ['// YOUR CODE HERE', 'throw new Error("Not implemented");'];

export type MarkerKind = 'solution' | 'hidden';

export interface MarkerRegion {
  kind: MarkerKind;
  /** 0-based line numbers of the BEGIN and END lines. */
  begin: number;
  end: number;
}

const MARKERS: Array<{ text: string; kind: MarkerKind; begin: boolean }> = [
  { text: BEGIN_SOLUTION, kind: 'solution', begin: true },
  { text: END_SOLUTION, kind: 'solution', begin: false },
  { text: BEGIN_HIDDEN, kind: 'hidden', begin: true },
  { text: END_HIDDEN, kind: 'hidden', begin: false },
];

function markerOf(line: string) {
  const t = line.trim();
  return MARKERS.find((m) => t === m.text) ?? null;
}

/**
 * Find the marker regions of a cell's source.
 * @throws a message naming the line ("line 7: // END SOLUTION without // BEGIN SOLUTION") when
 *   markers are unbalanced or nested.
 */
export function findRegions(source: string): MarkerRegion[] {
  const lines = source.split('\n');
  const regions: MarkerRegion[] = [];
  let open: { kind: MarkerKind; begin: number } | null = null;
  lines.forEach((line, i) => {
    const m = markerOf(line);
    if (!m) {
      // "//BEGIN SOLUTION" or "// END SOLUTION here" is almost always a typo: say so
      if (/^\/\/\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)\b/i.test(line.trim())) {
        throw new Error(`line ${i + 1}: "${line.trim()}" looks like a marker but is not one; write it exactly as "${BEGIN_SOLUTION}", "${END_SOLUTION}", "${BEGIN_HIDDEN}" or "${END_HIDDEN}", alone on its line`);
      }
      return;
    }
    if (m.begin) {
      if (open) throw new Error(`line ${i + 1}: ${m.text} inside the region opened on line ${open.begin + 1}; markers cannot be nested`);
      open = { kind: m.kind, begin: i };
    } else {
      if (!open) throw new Error(`line ${i + 1}: ${m.text} without a matching BEGIN`);
      if (open.kind !== m.kind) throw new Error(`line ${i + 1}: ${m.text} closes the region opened on line ${open.begin + 1}, which is a different kind`);
      regions.push({ kind: m.kind, begin: open.begin, end: i });
      open = null;
    }
  });
  if (open) {
    const o = open as { kind: MarkerKind; begin: number };
    throw new Error(`line ${o.begin + 1}: ${o.kind === 'solution' ? BEGIN_SOLUTION : BEGIN_HIDDEN} is never closed`);
  }
  return regions;
}

/** Replace every solution region by the stub, keeping the BEGIN line's indentation. */
export function stubSolutions(source: string): string {
  const lines = source.split('\n');
  const regions = findRegions(source).filter((r) => r.kind === 'solution');
  for (const r of [...regions].reverse()) {
    const indent = /^\s*/.exec(lines[r.begin])![0];
    lines.splice(r.begin, r.end - r.begin + 1, ...STUB_LINES.map((l) => indent + l));
  }
  return lines.join('\n');
}

/** Remove every hidden-tests region, markers included. */
export function removeHiddenTests(source: string): string {
  const lines = source.split('\n');
  for (const r of findRegions(source).filter((x) => x.kind === 'hidden').reverse()) lines.splice(r.begin, r.end - r.begin + 1);
  return lines.join('\n').replace(/\n+$/, '');
}

/** Keep the hidden tests but drop their marker lines (the code that runs when grading). */
export function unmarkHiddenTests(source: string): string {
  const lines = source.split('\n');
  for (const r of findRegions(source).filter((x) => x.kind === 'hidden').reverse()) {
    lines.splice(r.end, 1);
    lines.splice(r.begin, 1);
  }
  return lines.join('\n');
}
