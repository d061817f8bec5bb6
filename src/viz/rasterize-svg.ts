/**
 * SVG to PNG, for charts whose SVG would be large (a scatter of thousands of points is one SVG
 * element per point: a 2,000-point UMAP was 366 KB of SVG against 81 KB of PNG). Rendered by
 * resvg (`@resvg/resvg-js`) with the DejaVu Sans fonts shipped by the `dejavu-fonts-ttf`
 * package, so the picture is the same on every machine, fonts installed or not.
 */
import * as path from 'node:path';
import type * as ResvgJs from '@resvg/resvg-js';

let fontFiles: string[] | null = null;

function bundledFonts(): string[] {
  if (!fontFiles) {
    const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontFiles = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => path.join(dir, f));
  }
  return fontFiles;
}

/**
 * Render an SVG string to PNG bytes at `zoom` times its own size (default 1), on white.
 *
 * @throws "Error in rasterizeSvg: <resvg's message>" when the SVG cannot be parsed.
 */
export function rasterizeSvg(svg: string, options: { zoom?: number } = {}): Buffer {
  const zoom = options.zoom ?? 1;
  if (!(Number.isFinite(zoom) && zoom > 0 && zoom <= 8)) {
    throw new Error(`Error in rasterizeSvg: zoom must be a number in (0, 8], but got ${zoom}`);
  }
  // Loaded on first use: a native module most charts never need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resvg } = require('@resvg/resvg-js') as typeof ResvgJs;
  try {
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: zoom },
      background: 'white',
      font: { loadSystemFonts: false, fontFiles: bundledFonts(), defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    });
    return resvg.render().asPng();
  } catch (e) {
    throw new Error(`Error in rasterizeSvg: ${(e as Error).message}`);
  }
}
