/**
 * Notebook outputs: charts (vega-lite and plotly), image grids, live plots, progress bars.
 * Each chart function (a noun: `lineChart`, `heatmap`, `plotlyChart`) shows ONE output carrying
 * several MIME types; each has a pure `...Spec` builder (a vega-lite spec, or a plotly figure) and
 * a `...Summary` (the text) next to it, for tests and custom rendering.
 */
export { displayBundle, newDisplayHandle } from './display';
export type { MimeBundle, DisplayMessage, DisplayWriter, DisplayTarget, DisplayBundleOptions, DisplayHandle } from './display';
export { renderVegaLiteSvg, vegaLiteBundle } from './vega-lite-bundle';
export type { ChartOptions, VegaLiteSpec, StaticImage } from './vega-lite-bundle';
export { lineChart, lineChartSpec, lineChartSummary } from './line-chart';
export type { LineSeries, LineChartData, LineChartOptions } from './line-chart';
export { scatterChart, scatterChartSpec, scatterChartSummary, PNG_ABOVE_POINTS } from './scatter-chart';
export type { ScatterChartOptions } from './scatter-chart';
export { barChart, barChartSpec, barChartSummary } from './bar-chart';
export type { BarDatum, BarChartData, BarChartOptions } from './bar-chart';
export { heatmap, heatmapSpec, heatmapSummary } from './heatmap';
export type { HeatmapOptions } from './heatmap';
export { imageGrid, imageGridPng, imageGridSummary, pngBundle } from './image-grid';
export type { ImageGridOptions, ImageGridInput } from './image-grid';
export { retrievalGrid } from './retrieval-grid';
export { maeReconstructionGrid } from './mae-reconstruction-grid';
export type { MaeReconstructionGridOptions } from './mae-reconstruction-grid';
export type { RetrievalGridOptions, RetrievalGridResult } from './retrieval-grid';
export { plotlyChart, plotlyBundle, plotlyHtml } from './plotly-bundle';
export type { PlotlyFigure, PlotlySession, PlotlyDisplayOptions } from './plotly-bundle';
export { scatter3d, scatter3dSpec, scatter3dSummary } from './scatter3d';
export type { Scatter3dOptions } from './scatter3d';
export { surfacePlot, surfacePlotSpec, surfaceSummary } from './surface-plot';
export type { SurfacePlotOptions } from './surface-plot';
export { liveLineChart } from './live-line-chart';
export type { LiveLineChart, LiveLineChartOptions } from './live-line-chart';
export { progress, withProgress, ProgressBar } from './progress';
export type { ProgressOptions, WithProgressOptions, ProgressMetrics, ProgressIterable, ProgressAsyncIterable } from './progress';
export { detectOutputEnv, outputMode } from './output-env';
export type { OutputEnv, OutputMode } from './output-env';
