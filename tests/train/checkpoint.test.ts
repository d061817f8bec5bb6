import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint';
import { weightBits } from './helpers';

describe('checkpoints', () => {
  before(async () => {
    await useBackend('cpu', { log: () => {} });
  });

  it('Does a save/load round trip restore every value bit for bit (float32 incl. NaN and -0, int32, bool) and the metadata?', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-ckpt-'));
    try {
      const tensors = {
        'a.kernel': tf.tensor2d([[1.5, -0, NaN], [1e-40, 3.4e38, -7]]),
        'queue.pointer': tf.scalar(17, 'int32'),
        mask: tf.tensor1d([1, 0, 1], 'bool'),
      };
      const folder = saveCheckpoint(dir, 12, tensors, { seed: 3, note: 'x' });
      assert.equal(path.basename(folder), 'step-00000012');
      const loaded = loadCheckpoint(dir);
      assert.equal(loaded.step, 12);
      assert.deepEqual(loaded.meta, { seed: 3, note: 'x' });
      assert.deepEqual(weightBits(loaded.tensors), weightBits(tensors));
      assert.equal(loaded.tensors.mask.dtype, 'bool');
      assert.deepEqual(loaded.tensors['a.kernel'].shape, [2, 3]);
      tf.dispose([...Object.values(tensors), ...Object.values(loaded.tensors)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Does latest.json point at the newest complete checkpoint, old ones pruned and a torn write ignored?', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-ckpt-'));
    try {
      const t = { w: tf.ones([2]) };
      for (const step of [2, 4, 6]) saveCheckpoint(dir, step, t, {}, 2);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['latest.json', 'step-00000004', 'step-00000006']);
      // A crash in the middle of writing step 8 leaves only a partial folder: still step 6.
      fs.mkdirSync(path.join(dir, 'step-00000008.partial-999'));
      assert.equal(path.basename(latestCheckpoint(dir)!), 'step-00000006');
      assert.equal(latestCheckpoint(path.join(dir, 'missing')), null);
      assert.throws(() => loadCheckpoint(path.join(dir, 'missing')), { message: `Error in loadCheckpoint: no checkpoint in ${path.join(dir, 'missing')}` });
      fs.truncateSync(path.join(dir, 'step-00000006', 'tensors.bin'), 3);
      assert.throws(() => loadCheckpoint(dir), /tensors.bin has 3 bytes, expected 8$/);
      t.w.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
