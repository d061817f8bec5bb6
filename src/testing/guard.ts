/**
 * Tamper detection for graded checks. The grader loads `selfsup/testing` before any learner code
 * runs (its setup cell); at that moment this module records what the built-ins and helpers the
 * checks rely on look like. `tamperFindings()` compares the live environment against that record
 * and returns what changed ("Math.abs was replaced"). A finding is kept for the rest of the
 * process: a patch that is undone later has still been seen.
 *
 * Nothing here calls a method that learner code could have replaced: the functions used to
 * compare are captured below at load, and the loops use indexing and `+`, never Array or Map
 * methods.
 */
const ownKeys = Reflect.ownKeys;
const getDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const ReflectApply = Reflect.apply;
const freeze = Object.freeze;
const SetClass = Set;
const setHas = Set.prototype.has;
const setAdd = Set.prototype.add;

interface Slot {
  key: PropertyKey;
  value: unknown;
  get: unknown;
  set: unknown;
  present: boolean;
}

interface Watch {
  label: string;
  target: object;
  /** Compare exactly these keys, whatever their values; otherwise every function-valued or accessor property. */
  exact: boolean;
  slots: Slot[];
  /** The keys of `slots`, for a fast look-up (used through captured Set methods). */
  known: Set<PropertyKey>;
}

const watches: Watch[] = [];
/** Findings so far (sticky), and a plain-object index of them. */
const findings: string[] = [];
const seen: Record<string, true> = Object.create(null);
/** Extra checks registered by other modules (e.g. require.cache entries, notebook bindings). */
const probes: Array<() => string | null> = [];

function note(finding: string): void {
  if (seen[finding]) return;
  seen[finding] = true;
  findings[findings.length] = finding;
}

function keyName(key: PropertyKey): string {
  return typeof key === 'symbol' ? `[${String(key.description)}]` : String(key);
}

function slotOf(target: object, key: PropertyKey): Slot {
  const d = getDescriptor(target, key);
  if (!d) return { key, value: undefined, get: undefined, set: undefined, present: false };
  return { key, value: d.value, get: d.get, set: d.set, present: true };
}

const isWatchedValue = (s: Slot) => s.present && (typeof s.value === 'function' || s.get !== undefined || s.set !== undefined);

/**
 * Record `target` as it is now. With `keys`, exactly those properties are compared (any change
 * counts, even of a non-function value); without, every function-valued or accessor own property
 * is compared, and a function-valued property added later is reported too.
 */
export function watch(label: string, target: object | null | undefined, keys?: PropertyKey[]): void {
  if (target === null || target === undefined) return;
  const slots: Slot[] = [];
  if (keys) {
    for (let i = 0; i < keys.length; i++) slots[slots.length] = slotOf(target, keys[i]);
  } else {
    const all = ownKeys(target);
    for (let i = 0; i < all.length; i++) {
      const s = slotOf(target, all[i]);
      if (isWatchedValue(s)) slots[slots.length] = s;
    }
  }
  const known = new SetClass<PropertyKey>();
  for (let i = 0; i < slots.length; i++) ReflectApply(setAdd, known, [slots[i].key]);
  watches[watches.length] = { label, target, exact: keys !== undefined, slots, known };
}

/** Add a check of one's own: return a finding ("… was replaced") or null. */
export function addProbe(probe: () => string | null): void {
  probes[probes.length] = probe;
}

/**
 * Make `holder[key]` (a function) a trip-wire: reading works as before, but assigning records a
 * finding that never goes away, and the property can no longer be redefined or deleted. Used
 * for JSON.parse and JSON.stringify, which a hook could replace and then put back between two
 * checks. (Not for hot functions such as Math.*: an accessor there costs ten times a call.)
 */
export function tripwire(label: string, holder: object, key: string): void {
  const d = getDescriptor(holder, key);
  if (!d || !d.configurable || typeof d.value !== 'function') return;
  let value: unknown = d.value;
  defineProperty(holder, key, {
    configurable: false,
    enumerable: d.enumerable,
    get: () => value,
    set(next: unknown) {
      if (this !== holder) {
        // an assignment on an object that inherits from holder makes an own property, as before
        defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
        return;
      }
      if (next !== value) note(`${label} was replaced`);
      value = next;
    },
  });
}

/** What has been tampered with so far (sticky), checking the environment now. */
export function tamperFindings(): readonly string[] {
  for (let w = 0; w < watches.length; w++) {
    const { label, target, exact, slots, known } = watches[w];
    for (let i = 0; i < slots.length; i++) {
      const before = slots[i];
      const now = slotOf(target, before.key);
      const name = `${label}.${keyName(before.key)}`;
      if (!now.present && before.present) note(`${name} was removed`);
      else if (now.present && !before.present) note(`${name} was added`);
      else if (now.value !== before.value || now.get !== before.get || now.set !== before.set) note(`${name} was replaced`);
    }
    if (exact) continue;
    const all = ownKeys(target);
    for (let k = 0; k < all.length; k++) {
      if (!ReflectApply(setHas, known, [all[k]]) && isWatchedValue(slotOf(target, all[k]))) note(`${label}.${keyName(all[k])} was added`);
    }
  }
  for (let p = 0; p < probes.length; p++) {
    let finding: string | null;
    try {
      finding = ReflectApply(probes[p], undefined, []) as string | null;
    } catch (err) {
      finding = `a check of the environment failed (${String(err)})`;
    }
    if (finding) note(finding);
  }
  const copy: string[] = [];
  for (let i = 0; i < findings.length; i++) copy[i] = findings[i];
  return freeze(copy);
}

/** A probe that reports when `mod`'s require.cache entry (or its exports) is replaced. */
export function requireCacheProbe(mod: NodeJS.Module): () => string | null {
  const cache = require.cache;
  const file = mod.id === '.' ? mod.filename : mod.id;
  const exportsNow = () => mod.exports as unknown;
  const original = exportsNow();
  const short = file.replace(/^.*[\\/](dist|src)[\\/]/, 'selfsup/$1/');
  return () => {
    if (require.cache !== cache) return 'require.cache was replaced';
    const entry = cache[file];
    if (entry !== mod) return `the require.cache entry of ${short} was replaced`;
    if (entry.exports !== original) return `the exports of ${short} were replaced`;
    return null;
  };
}

// What every check relies on, recorded when the grader loads this module.
const g = globalThis as Record<string, unknown>;
// (trip-wires first: the watches below then record them as they will stay)
tripwire('JSON.parse', JSON, 'parse');
tripwire('JSON.stringify', JSON, 'stringify');
watch('globalThis', globalThis, [
  'Math', 'JSON', 'Reflect', 'Object', 'Array', 'Number', 'String', 'Promise', 'Function', 'Symbol',
  'Error', 'Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'Buffer', 'process',
]);
watch('Math', Math);
watch('JSON', JSON);
watch('Reflect', Reflect);
watch('Object', Object);
watch('Object.prototype', Object.prototype);
watch('Array', Array);
watch('Array.prototype', Array.prototype);
watch('Number', Number);
watch('Number.prototype', Number.prototype);
watch('String.prototype', String.prototype);
watch('Function.prototype', Function.prototype);
watch('Promise', Promise);
// (not Set.prototype: vega-lite adds Set.prototype.toJSON when a chart loads it; the look-ups
// above go through captured Set methods, so a change there cannot hide a finding)
watch('Promise.prototype', Promise.prototype);
const TypedArray = Object.getPrototypeOf(Float32Array) as object & { prototype: object };
watch('TypedArray', TypedArray);
watch('TypedArray.prototype', TypedArray.prototype);
for (const T of [Float32Array, Float64Array, Int32Array]) {
  watch(T.name, T);
  watch(`${T.name}.prototype`, T.prototype);
}
// tslab's per-kernel `require` and `exports`, which every cell's imports go through
if (typeof g.__tslab__ === 'object' && g.__tslab__ !== null) {
  watch('globalThis', globalThis, ['__tslab__']);
  watch('__tslab__', g.__tslab__ as object, ['require', 'exports']);
}

// Signing: protocol.ts calls these through references it captured; a replacement is still reported.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const crypto = require('node:crypto') as typeof import('node:crypto');
watch('crypto', crypto, ['createHmac', 'timingSafeEqual']);
watch('Hmac.prototype', Object.getPrototypeOf(crypto.createHmac('sha256', 'probe')) as object);
addProbe(requireCacheProbe(module));
// Module loading: replacing these would let `require('selfsup/testing')` return a fake.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('node:module') as object & { prototype: object };
watch('Module', Module, ['_load', '_resolveFilename', '_cache', 'prototype', 'createRequire']);
watch('Module.prototype', Module.prototype, ['require', '_compile', 'load']);

Object.freeze(module.exports);
