/** Options of `warmupCosineSchedule`. */
export interface WarmupCosineOptions {
  /** Peak learning rate, reached at the end of the warm-up. */
  lr: number;
  /** Steps of linear warm-up (default 0). */
  warmupSteps?: number;
  /** Total steps of the run (warm-up included). */
  totalSteps: number;
  /** Learning rate at the end of the cosine (default 0). */
  minLr?: number;
}

/**
 * Linear warm-up then half-cosine decay, the schedule of SimCLR, MoCo v2, SwAV, BYOL and MAE
 * (MAE's util/lr_sched.py, per step):
 *
 *   lr(s) = lr * (s + 1) / W                                              for s < W
 *   lr(s) = minLr + (lr - minLr) * (1 + cos(pi * (s - W) / (T - W))) / 2   for W <= s < T
 *   lr(s) = minLr                                                          for s >= T
 *
 * with s the 0-based step, W the warm-up steps and T the total steps. (MAE's warm-up is s / W,
 * which wastes step 0 on lr = 0; ours reaches the peak at s = W - 1 and decays from s = W.)
 *
 * A run with a time budget passes the fraction of the budget used since the warm-up ended as the
 * second argument; the cosine then follows whichever of steps and time is further along, so the
 * learning rate reaches minLr when the budget runs out however fast the machine is.
 *
 * Papers: Goyal et al., "Accurate, Large Minibatch SGD" (2017), Sec. 2.2 (warm-up);
 * Loshchilov & Hutter, "SGDR" (ICLR 2017), eq. (5) (cosine, one cycle, no restart).
 *
 * @returns the schedule, a function of the step.
 * @example
 * const schedule = warmupCosineSchedule({ lr: 2e-3, warmupSteps: 100, totalSteps: 2000 });
 * schedule(0); // 2e-5
 */
export function warmupCosineSchedule(options: WarmupCosineOptions): (step: number, timeFraction?: number) => number {
  const { lr, warmupSteps = 0, totalSteps, minLr = 0 } = options;
  if (!(lr >= 0) || !(minLr >= 0)) {
    throw new Error(`Error in warmupCosineSchedule: lr and minLr must be >= 0, but got ${lr} and ${minLr}`);
  }
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0 && Number.isInteger(totalSteps) && totalSteps >= warmupSteps)) {
    throw new Error(
      `Error in warmupCosineSchedule: need integers 0 <= warmupSteps <= totalSteps, but got ${warmupSteps} and ${totalSteps}`,
    );
  }
  return (step: number, timeFraction = 0) => {
    if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    if (step >= totalSteps || timeFraction >= 1) return minLr;
    const progress = Math.max((step - warmupSteps) / Math.max(1, totalSteps - warmupSteps), Math.max(0, timeFraction));
    return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
  };
}
