/**
 * Training kernels that the stock tfjs wasm backend lacks or runs slowly.
 * `registerWasmTrainingKernels()` registers them for backend 'wasm' and returns their names.
 */
export function registerWasmTrainingKernels(): string[] {
  return [];
}
