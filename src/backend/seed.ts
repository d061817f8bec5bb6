import seedrandom from 'seedrandom';

/** A seeded pseudo-random number generator: `next()` is uniform in [0, 1). */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A fresh 31-bit integer seed, for handing to a tfjs op or a child generator. */
  seed(): number;
}

/**
 * Create a reproducible random number generator (Alea, via the seedrandom package that
 * tfjs itself uses for its seeded ops). The same seed gives the same sequence everywhere.
 *
 * @example
 * const rng = createRng(42);
 * const order = shuffle([...Array(10).keys()], rng);
 */
export function createRng(seed: number | string): Rng {
  const prng = seedrandom.alea(String(seed));
  return {
    next: () => prng(),
    int: (n: number) => Math.floor(prng() * n),
    seed: () => Math.floor(prng() * 0x7fffffff),
  };
}

/** Fisher–Yates shuffle in place with a seeded generator; returns the same array. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
