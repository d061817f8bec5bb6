import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as selfsup from '../src';

// What a notebook sees with `import { ... } from 'selfsup'`: the course's API, not the plumbing
// the CLI, the tests and the library itself use.
const INTERNAL = [
  'runDataCommand', 'printProgress', 'CIFAR10_FILES', 'CIFAR10_SIZES', 'CIFAR10_RECORD_BYTES', 'CIFAR10_RECORDS_PER_FILE',
  'CIFAR10_NPM_PACKAGE', 'CIFAR10_OFFICIAL_URL', 'silenceTfjsBanner', 'enableWasmThreads', 'resolveConfig',
  'findDisplayWriter', 'setDisplayWriter', 'VEGALITE_MIME', 'PLOTLY_MIME',
];

test('the public index exports the course API and none of the internals', () => {
  const exported = new Set(Object.keys(selfsup));
  assert.deepEqual(INTERNAL.filter((name) => exported.has(name)), []);
  for (const name of ['useBackend', 'loadCifar10', 'simclrViews', 'ntXentLoss', 'ResNetEncoder', 'fit', 'knnAccuracy', 'nearestNeighbors', 'retrievalGrid', 'pretrained', 'referenceRun', 'imageGrid', 'barProgress', 'rotateBatch', 'patchify', 'sinkhornKnopp', 'alignmentLoss', 'uniformityLoss']) {
    assert.ok(exported.has(name), `selfsup exports ${name}`);
  }
});
