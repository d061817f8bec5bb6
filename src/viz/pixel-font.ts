/**
 * A 3x5 pixel font (upper case, digits, a little punctuation) for captions inside PNG image
 * grids, where no font renderer is available. Lower case is drawn as upper case; unknown
 * characters as '?'.
 */
const GLYPHS: Record<string, string> = {
  A: '.#. #.# ### #.# #.#', B: '##. #.# ##. #.# ##.', C: '.## #.. #.. #.. .##', D: '##. #.# #.# #.# ##.',
  E: '### #.. ##. #.. ###', F: '### #.. ##. #.. #..', G: '.## #.. #.# #.# .##', H: '#.# #.# ### #.# #.#',
  I: '### .#. .#. .#. ###', J: '..# ..# ..# #.# .#.', K: '#.# #.# ##. #.# #.#', L: '#.. #.. #.. #.. ###',
  M: '#.# ### ### #.# #.#', N: '##. #.# #.# #.# #.#', O: '.#. #.# #.# #.# .#.', P: '##. #.# ##. #.. #..',
  Q: '.#. #.# #.# ##. .##', R: '##. #.# ##. #.# #.#', S: '.## #.. .#. ..# ##.', T: '### .#. .#. .#. .#.',
  U: '#.# #.# #.# #.# ###', V: '#.# #.# #.# #.# .#.', W: '#.# #.# ### ### #.#', X: '#.# #.# .#. #.# #.#',
  Y: '#.# #.# .#. .#. .#.', Z: '### ..# .#. #.. ###',
  '0': '### #.# #.# #.# ###', '1': '.#. ##. .#. .#. ###', '2': '##. ..# .#. #.. ###', '3': '##. ..# .#. ..# ##.',
  '4': '#.# #.# ### ..# ..#', '5': '### #.. ##. ..# ##.', '6': '.## #.. ### #.# ###', '7': '### ..# .#. .#. .#.',
  '8': '### #.# ### #.# ###', '9': '### #.# ### ..# ##.',
  ' ': '... ... ... ... ...', '.': '... ... ... ... .#.', ',': '... ... ... .#. #..', '-': '... ... ### ... ...',
  _: '... ... ... ... ###', ':': '... .#. ... .#. ...', '/': '..# ..# .#. #.. #..', '%': '#.# ..# .#. #.. #.#',
  '(': '..# .#. .#. .#. ..#', ')': '#.. .#. .#. .#. #..', '+': '... .#. ### .#. ...', '=': '... ### ... ### ...',
  '?': '##. ..# .#. ... .#.', '!': '.#. .#. .#. ... .#.', "'": '.#. .#. ... ... ...',
};

/** Glyph size in font pixels, and the horizontal advance (glyph plus one pixel of space). */
export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;
export const GLYPH_ADVANCE = 4;

/** Width in font pixels of `text` (no trailing space). */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * GLYPH_ADVANCE - 1;
}

/**
 * Call `set(x, y)` for every lit font pixel of `text`, with (0, 0) the top left of the first
 * glyph; the caller scales and places them.
 */
export function drawText(text: string, set: (x: number, y: number) => void): void {
  [...text.toUpperCase()].forEach((ch, k) => {
    const rows = (GLYPHS[ch] ?? GLYPHS['?']).split(' ');
    rows.forEach((row, y) => {
      for (let x = 0; x < GLYPH_WIDTH; x++) if (row[x] === '#') set(k * GLYPH_ADVANCE + x, y);
    });
  });
}
