/**
 * fit's leak check: the tensor count (without the optimiser's own state) after each step. A
 * count that grows on two consecutive steps, after two warm-up steps, is a leak; one growth
 * alone is not (lazily created state, a first-use cache).
 */
export class LeakGuard {
  private lastCount = -1;
  private grewLast = false;

  constructor(private readonly startStep: number) {}

  /** Record the count after `step`; returns the error message when it shows a leak, else null. */
  observe(step: number, count: number): string | null {
    let message: string | null = null;
    if (step >= this.startStep + 2 && this.lastCount >= 0 && count > this.lastCount) {
      if (this.grewLast) {
        message = `Error in fit: Leaked ${count - this.lastCount} tensors per step (numTensors ${this.lastCount} -> ${count} at step ${step}); free every tensor a step creates (tf.tidy, dispose)`;
      }
      this.grewLast = true;
    } else {
      this.grewLast = false;
    }
    this.lastCount = count;
    return message;
  }
}
