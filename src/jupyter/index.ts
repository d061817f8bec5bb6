export { KernelSession, installSignalCleanup } from './kernel-session';
export type { CellResult, CellStatus, ExecuteOptions, KernelSessionOptions } from './kernel-session';
export { runNotebook, summarizeRun } from './run-notebook';
export type { CellRun, NotebookRun, RunNotebookOptions } from './run-notebook';
export * from './notebook';
export { findKernelSpec, installKernelSpec, tslabKernelSpec, KERNEL_NAME, packageRoot, projectJupyterDir, userJupyterDir } from './kernelspec';
export type { KernelSpec } from './kernelspec';
export { installKernel, linkPackage, setup } from './setup';
export { startLab } from './lab';
