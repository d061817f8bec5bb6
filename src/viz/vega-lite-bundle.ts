/**
 * Turning a vega-lite spec into a notebook output: the spec itself (JupyterLab renders
 * `application/vnd.vegalite.v5+json` natively), a static SVG rendered here in Node by vega (for
 * classic Notebook, GitHub's preview and nbconvert, which lack a vega-lite renderer) and a
 * text/plain summary (terminals, logs).
 */
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { displayBundle, MimeBundle, DisplayBundleOptions } from './display';
import { rasterizeSvg } from './rasterize-svg';

/** The MIME type JupyterLab renders vega-lite 5 specs with. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** The vega-lite 5 JSON schema every spec here declares. */
export const VEGALITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export type { TopLevelSpec as VegaLiteSpec };

/**
 * Compile a vega-lite spec (warnings become errors: a chart that vega-lite has to guess about
 * is a bug here) and render it to an SVG string with vega's headless SVG renderer.
 *
 * @throws "Error in renderVegaLiteSvg: <vega-lite's message>" when the spec does not compile.
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: vega adds ~0.3 s to `import 'selfsup'` otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vega = require('vega') as typeof Vega;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vl = require('vega-lite') as typeof VegaLite;
  let compiled: ReturnType<typeof VegaLite.compile>;
  try {
    // vega tags the data objects it is given (Symbol(vega_id)): render from a copy so the spec
    // we emit stays exactly what the caller built.
    compiled = vl.compile(JSON.parse(JSON.stringify(spec)) as TopLevelSpec, { logger: strictLogger() });
  } catch (e) {
    throw new Error(`Error in renderVegaLiteSvg: ${(e as Error).message}`);
  }
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** How a chart's static picture is stored: SVG (sharp, small for few marks) or PNG (small for many). */
export type StaticImage = 'svg' | 'png';

/**
 * The three-part bundle for one chart: vega-lite JSON, a static picture (SVG by default, or a
 * PNG with `{ staticImage: 'png' }`) and a text summary.
 */
export async function vegaLiteBundle(spec: TopLevelSpec, summary: string, options: { staticImage?: StaticImage } = {}): Promise<MimeBundle> {
  const svg = await renderVegaLiteSvg(spec);
  const picture = options.staticImage === 'png' ? { 'image/png': rasterizeSvg(svg).toString('base64') } : { 'image/svg+xml': svg };
  return { [VEGALITE_MIME]: spec, ...picture, 'text/plain': summary };
}

/** Render and display a chart as one output (see displayBundle for where it goes). */
export async function showVegaLite(
  spec: TopLevelSpec,
  summary: string,
  options: DisplayBundleOptions & { staticImage?: StaticImage } = {},
): Promise<void> {
  const { staticImage, ...display } = options;
  displayBundle(await vegaLiteBundle(spec, summary, { staticImage }), display);
}

/** A vega logger that throws on warnings and errors and ignores info/debug chatter. */
function strictLogger() {
  let level = 0;
  const fail = (...args: unknown[]): never => {
    throw new Error(args.map(String).join(' '));
  };
  const logger = {
    level(v?: number) {
      if (v === undefined) return level;
      level = v;
      return logger;
    },
    warn: fail,
    error: fail,
    info: () => logger,
    debug: () => logger,
  };
  return logger as unknown as Vega.LoggerInterface;
}

/** Options every vega-lite chart takes. */
export interface ChartOptions {
  /** Chart title. */
  title?: string;
  /** Width of the whole image in pixels, axes included. */
  width?: number;
  /** Height of the whole image in pixels, axes included. */
  height?: number;
}

/**
 * The config every chart shares: the title starts at the image's left edge (centred over a plot
 * narrowed by its legend, a long title was cut off on both sides), and legend labels may be
 * long enough for a run's name (vega cuts them at 160 pixels by default).
 */
export const BASE_CONFIG = {
  title: { anchor: 'start' as const, frame: 'bounds' as const },
  legend: { labelLimit: 320 },
};

/** The spec fields every chart shares: schema, size (fit, padding included), title, config. */
export function baseSpec(options: ChartOptions, defaults: { width: number; height: number }) {
  return {
    $schema: VEGALITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    width: options.width ?? defaults.width,
    height: options.height ?? defaults.height,
    autosize: { type: 'fit' as const, contains: 'padding' as const },
    background: 'white',
    config: BASE_CONFIG,
  };
}
