/**
 * Configuration objects: every module, recipe, optimiser and `fit` takes a `Partial<XxxConfig>`
 * merged into its `defaultXxxConfig()` here, so a misspelt key fails instead of being ignored.
 * Imports nothing: models/, train/ and eval/ all use it.
 */

/**
 * Merge `overrides` into `defaults`, rejecting keys the defaults do not have with
 * "Unknown config key: foo (ProjectionHead accepts inputDim, hiddenDim, ...)".
 */
export function resolveConfig<T extends object>(owner: string, defaults: T, overrides: Partial<T> = {}): T {
  for (const key of Object.keys(overrides)) {
    if (!(key in defaults)) {
      throw new Error(`Unknown config key: ${key} (${owner} accepts ${Object.keys(defaults).join(', ')})`);
    }
  }
  const merged = { ...defaults } as T;
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
