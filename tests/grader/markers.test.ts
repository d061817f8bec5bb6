import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findRegions, removeHiddenTests, stubSolutions, unmarkHiddenTests } from '../../src/grader/markers';

const solution = ['function f(x: number): number {', '  // BEGIN SOLUTION', '  return x * 2;', '  // END SOLUTION', '}'].join('\n');

test('a solution region becomes the stub, indented like its marker', () => {
  assert.equal(stubSolutions(solution), ['function f(x: number): number {', '  // YOUR CODE HERE', '  throw new Error("Not implemented");', '}'].join('\n'));
});

test('hidden tests are removed for students and unmarked for grading', () => {
  const src = ["await check('a', 1, () => {});", '// BEGIN HIDDEN TESTS', "await check('b', 1, () => {});", '// END HIDDEN TESTS'].join('\n');
  assert.equal(removeHiddenTests(src), "await check('a', 1, () => {});");
  assert.equal(unmarkHiddenTests(src), ["await check('a', 1, () => {});", "await check('b', 1, () => {});"].join('\n'));
});

test('unbalanced, nested and misspelt markers are errors that name the line', () => {
  assert.throws(() => findRegions('// BEGIN SOLUTION\nx'), { message: 'line 1: // BEGIN SOLUTION is never closed' });
  assert.throws(() => findRegions('x\n// END SOLUTION'), { message: 'line 2: // END SOLUTION without a matching BEGIN' });
  assert.throws(() => findRegions('// BEGIN SOLUTION\n// BEGIN HIDDEN TESTS'), /line 2: \/\/ BEGIN HIDDEN TESTS inside the region opened on line 1; markers cannot be nested/);
  assert.throws(() => findRegions('// BEGIN SOLUTION\n// END HIDDEN TESTS'), /line 2: \/\/ END HIDDEN TESTS closes the region opened on line 1, which is a different kind/);
  assert.throws(() => findRegions('//BEGIN SOLUTION'), /line 1: "\/\/BEGIN SOLUTION" looks like a marker but is not one/);
  assert.deepEqual(findRegions('const s = "// BEGIN SOLUTION";'), [], 'a marker inside code is not a marker');
});
