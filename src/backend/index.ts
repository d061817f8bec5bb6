export { useBackend, BACKEND_NAMES } from './use-backend';
export type { BackendName, BackendReport, UseBackendOptions } from './use-backend';
export { createRng, shuffle } from './seed';
export type { Rng } from './seed';
export { wasmThreadsReport } from './wasm-kernels/threads';
export type { WasmThreadsReport } from './wasm-kernels/threads';
