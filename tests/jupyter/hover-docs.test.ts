import { test } from 'node:test';
import assert from 'node:assert/strict';

// tslab's own converter and hover printer, as its kernel uses them for an inspect_request
// (Shift-Tab in Jupyter). patches/tslab+1.0.22.patch makes the printer label every TSDoc tag.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createConverter } = require('tslab/dist/converter') as {
  createConverter(): { inspect(prevDecl: string, src: string, position: number): unknown; close(): void };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { printQuickInfo } = require('tslab/dist/inspect') as { printQuickInfo(info: unknown): string };

test('Does the hover doc (Shift-Tab) keep the @returns, @throws and @example labels?', () => {
  const converter = createConverter();
  try {
    const src = [
      '/**',
      ' * Doubles x.',
      ' * @param x - a number',
      ' * @returns twice x',
      ' * @throws "Error in double: x must be finite" on NaN',
      ' * @example',
      ' * double(2) // 4',
      ' * @see notebooks/10.0-getting-started.ipynb',
      ' */',
      'function double(x: number): number { return 2 * x; }',
      'double(1);',
    ].join('\n');
    const text = printQuickInfo(converter.inspect('', src, src.lastIndexOf('double(1)') + 2));
    assert.equal(
      text,
      [
        'function double(x: number): number',
        '',
        'Doubles x.',
        '@param x - a number',
        '@returns twice x',
        '@throws "Error in double: x must be finite" on NaN',
        '@example',
        'double(2) // 4',
        '@see notebooks/10.0-getting-started.ipynb',
      ].join('\n'),
    );
  } finally {
    converter.close();
  }
});
