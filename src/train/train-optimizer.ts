/**
 * The optimiser interface `fit` drives. tfjs ships Adam and SGD but neither AdamW nor LARS, and
 * its optimisers cannot exclude biases and norm parameters from weight decay nor hand their
 * moments over synchronously for a checkpoint; ours can. Implementations: `AdamW` (Adam
 * when weightDecay = 0) and `Lars`.
 */
import * as tf from '@tensorflow/tfjs';

/** An optimiser with explicit, named, checkpointable state. */
export interface TrainOptimizer {
  /** 'AdamW', 'LARS', ... */
  readonly name: string;
  /** The resolved configuration (printed at the start of a run, stored in checkpoints). */
  readonly config: object;
  /** Updates applied so far (Adam's t). */
  iterations: number;
  /**
   * One update of `variables[i]` with `grads[i]` at learning rate `lr`. `names[i]` is the
   * variable's stable name (used by the weight-decay exclusion rule and in checkpoints).
   * Tidy: frees everything it creates except its own state.
   */
  applyGradients(variables: tf.Variable[], grads: tf.Tensor[], lr: number, names: string[]): void;
  /** Every state tensor by `<variable name>/<slot>` (the live variables: clone to keep). */
  getState(names: Map<tf.Variable, string>): tf.NamedTensorMap;
  /** Replace the state: `state` as from getState, `variables` the live variables by name. */
  setState(state: tf.NamedTensorMap, iterations: number, variables: Map<string, tf.Variable>): void;
  /** Number of tensors the optimiser holds (fit's leak check subtracts it). */
  numStateTensors(): number;
  /** Free the state. */
  dispose(): void;
}

/**
 * The default rule for which parameters get weight decay (and, for LARS, trust-ratio
 * adaptation): every parameter of rank >= 2 (conv kernels, dense kernels, prototypes, tokens),
 * none of rank <= 1 (biases, BatchNorm and LayerNorm scale and shift). This is MAE's rule
 * (`param.ndim == 1` or a name ending in '.bias' gets no decay) and, for these models, the
 * same split as SimCLR's LARS (which excludes 'bias' and 'batch_normalization' by name).
 */
export function decaysByDefault(variable: tf.Variable, name: string): boolean {
  return variable.rank >= 2 && !/(^|\.)bias$/.test(name);
}

/** Slot variables per model variable, with checkpoint naming shared by the optimisers. */
export class OptimizerSlots {
  private readonly slots = new Map<tf.Variable, tf.Variable[]>();

  constructor(private readonly slotNames: readonly string[]) {}

  /** The slots of `v`, created as zeros on first use. */
  get(v: tf.Variable): tf.Variable[] {
    let s = this.slots.get(v);
    if (!s) {
      s = this.slotNames.map(() => tf.variable(tf.zerosLike(v), false));
      this.slots.set(v, s);
    }
    return s;
  }

  getState(names: Map<tf.Variable, string>): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [v, s] of this.slots) {
      const name = names.get(v) ?? v.name;
      s.forEach((slot, i) => (out[`${name}/${this.slotNames[i]}`] = slot));
    }
    return out;
  }

  setState(owner: string, state: tf.NamedTensorMap, variables: Map<string, tf.Variable>): void {
    this.dispose();
    const grouped = new Map<string, tf.Tensor[]>();
    for (const [key, value] of Object.entries(state)) {
      const cut = key.lastIndexOf('/');
      const name = key.slice(0, cut);
      const slot = this.slotNames.indexOf(key.slice(cut + 1));
      if (cut < 0 || slot < 0) throw new Error(`Error in ${owner}.setState: unexpected state entry '${key}'`);
      if (!grouped.has(name)) grouped.set(name, []);
      grouped.get(name)![slot] = value;
    }
    for (const [name, values] of grouped) {
      const v = variables.get(name);
      if (!v) throw new Error(`Error in ${owner}.setState: state for unknown variable '${name}'`);
      if (values.length !== this.slotNames.length || values.some((t) => !t)) {
        throw new Error(`Error in ${owner}.setState: variable '${name}' needs slots ${this.slotNames.join(', ')}`);
      }
      this.slots.set(v, values.map((t) => tf.variable(tf.clone(t), false)));
    }
  }

  get size(): number {
    return this.slots.size * this.slotNames.length;
  }

  dispose(): void {
    for (const s of this.slots.values()) tf.dispose(s);
    this.slots.clear();
  }
}

/** Throws the fixed-form message for mismatched lists. */
export function checkUpdateArgs(owner: string, variables: tf.Variable[], grads: tf.Tensor[], names: string[]): void {
  if (variables.length !== grads.length || variables.length !== names.length) {
    throw new Error(
      `Error in ${owner}.applyGradients: variables, grads and names must have the same length, but got ${variables.length}, ${grads.length} and ${names.length}`,
    );
  }
}
