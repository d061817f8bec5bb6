/**
 * The one interface every model part implements, and a small base class that provides it.
 *
 * A module owns tf.Variables (trainable weights and, e.g., BatchNorm running statistics),
 * computes with `apply(x, { training })`, and exposes its weights by stable names for saving
 * and loading: `getWeights()` / `setWeights()`.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../backend/seed';

/** Options every `apply` understands. */
export interface ApplyOptions {
  /** Training mode: BatchNorm uses batch statistics and updates its running ones. Default false. */
  training?: boolean;
}

/** A model part that owns variables. */
export interface Module<In extends tf.Tensor = tf.Tensor, Out extends tf.Tensor = tf.Tensor> {
  /** Short name, used in error messages and as a prefix when nested. */
  readonly name: string;
  /** The forward pass. Tidy: returns one new tensor, keeps nothing else. */
  apply(x: In, options?: ApplyOptions): Out;
  /** The variables an optimiser updates, in a fixed order. */
  readonly trainableVariables: tf.Variable[];
  /**
   * Every weight by a stable name ('layers.0.kernel', 'bn.movingMean', ...), trainable or not.
   * The values are the live variables: read or clone them, do not dispose them.
   */
  getWeights(): tf.NamedTensorMap;
  /** Copy values into the variables. Names and shapes must match `getWeights()` exactly. */
  setWeights(weights: tf.NamedTensorMap): void;
  /** Free all variables. */
  dispose(): void;
}

interface Entry {
  variable: tf.Variable;
  trainable: boolean;
}

/**
 * Base class providing the `Module` bookkeeping: register variables and child modules
 * under names, and get trainable variables, named weights, loading and disposal for free.
 */
export abstract class BaseModule<In extends tf.Tensor = tf.Tensor, Out extends tf.Tensor = tf.Tensor> implements Module<In, Out> {
  private readonly own = new Map<string, Entry>();
  private readonly children = new Map<string, Module>();

  constructor(readonly name: string) {}

  abstract apply(x: In, options?: ApplyOptions): Out;

  /** Wraps `init` (which it takes ownership of) in a variable registered as `key`. */
  protected addWeight(key: string, init: tf.Tensor, trainable = true): tf.Variable {
    if (this.own.has(key) || this.children.has(key)) throw new Error(`Error in ${this.name}: duplicate weight name '${key}'`);
    const variable = tf.variable(init, trainable);
    init.dispose();
    this.own.set(key, { variable, trainable });
    return variable;
  }

  /** Registers a child module; its weights appear as `key.<child weight>`. */
  protected addChild<M extends Module<any, any>>(key: string, child: M): M {
    if (this.own.has(key) || this.children.has(key)) throw new Error(`Error in ${this.name}: duplicate weight name '${key}'`);
    this.children.set(key, child as unknown as Module);
    return child;
  }

  get trainableVariables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const { variable, trainable } of this.own.values()) if (trainable) out.push(variable);
    for (const child of this.children.values()) out.push(...child.trainableVariables);
    return out;
  }

  getWeights(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [key, { variable }] of this.own) out[key] = variable;
    for (const [key, child] of this.children) {
      for (const [sub, value] of Object.entries(child.getWeights())) out[`${key}.${sub}`] = value;
    }
    return out;
  }

  setWeights(weights: tf.NamedTensorMap): void {
    const mine = this.getWeights();
    const missing = Object.keys(mine).filter((k) => !(k in weights));
    const unexpected = Object.keys(weights).filter((k) => !(k in mine));
    if (missing.length > 0 || unexpected.length > 0) {
      const parts = [];
      if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
      if (unexpected.length > 0) parts.push(`unexpected ${unexpected.join(', ')}`);
      throw new Error(`Error in ${this.name}.setWeights: weight names do not match (${parts.join('; ')})`);
    }
    for (const [key, target] of Object.entries(mine)) {
      const value = weights[key];
      if (!tf.util.arraysEqual(value.shape, target.shape)) {
        throw new Error(
          `Error in ${this.name}.setWeights: '${key}' must have shape [${target.shape.join(',')}], but got [${value.shape.join(',')}]`,
        );
      }
    }
    tf.tidy(() => {
      for (const [key, target] of Object.entries(mine)) (target as tf.Variable).assign(tf.cast(weights[key], target.dtype));
    });
  }

  dispose(): void {
    for (const { variable } of this.own.values()) variable.dispose();
    for (const child of this.children.values()) child.dispose();
    this.own.clear();
    this.children.clear();
  }
}

/** Copies every weight (clones, the caller owns them): a snapshot for `setWeights` later. */
export function cloneWeights(module: Module): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [key, value] of Object.entries(module.getWeights())) out[key] = tf.clone(value);
  return out;
}

/** Uniform values in [low, high) from a seeded generator (the same on every backend). */
export function seededUniform(shape: number[], low: number, high: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = low + (high - low) * rng.next();
  return tf.tensor(values, shape, 'float32');
}

/** Normal values (Box-Muller) with mean 0 and the given std, from a seeded generator. */
export function seededNormal(shape: number[], std: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const u1 = Math.max(rng.next(), 1e-300);
    const u2 = rng.next();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    values[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < size) values[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return tf.tensor(values, shape, 'float32');
}

/** A generator from a seed, or the generator itself: lets parents hand sub-seeds to children. */
export function rngFrom(seed: number | Rng): Rng {
  return typeof seed === 'number' ? createRng(seed) : seed;
}
