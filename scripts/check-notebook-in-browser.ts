/**
 * Runs a long training cell the way a learner does: the classic Jupyter Notebook (Debian's
 * jupyter-notebook) in headless Chromium, "Cell → Run All", then waits for the cell after the
 * training cell to print. Fails if the kernel dies or a cell errors; writes a screenshot.
 *
 *   npm run check:browser -- [--seconds 300] [--screenshot build/browser-check/run.png]
 *
 * Needs `apt-get install jupyter-notebook chromium` (not part of npm test: neither is on a
 * fresh machine, and the run takes as long as the training).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { projectJupyterDir } from '../src/jupyter/kernelspec';
import { stringifyNotebook } from '../src/jupyter/notebook';
import { longTrainingCell, makeNotebook, repoRoot } from '../tests/helpers/notebooks';

function parseArgs(argv: string[]): { seconds: number; screenshot: string } {
  const out = { seconds: 300, screenshot: path.join(repoRoot, 'build', 'browser-check', 'run.png') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--seconds' && value !== undefined && Number(value) > 0) (out.seconds = Number(value)), i++;
    else if (flag === '--screenshot' && value) (out.screenshot = path.resolve(value)), i++;
    else throw new Error(`check-notebook-in-browser: unknown or incomplete argument ${flag}; use --seconds N, --screenshot FILE`);
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function need(command: string, install: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    console.error(`check-notebook-in-browser: ${command} not found; install it with: apt-get install ${install}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { seconds, screenshot } = parseArgs(process.argv.slice(2));
  need('jupyter-notebook', 'jupyter-notebook');
  need('chromium', 'chromium');
  const dir = path.join(repoRoot, 'build', 'browser-check');
  fs.mkdirSync(dir, { recursive: true });
  const nbFile = path.join(dir, 'long-cell.ipynb');
  fs.writeFileSync(nbFile, stringifyNotebook(makeNotebook([longTrainingCell(seconds, 'browser check'), "console.log('kernel still alive')"])));

  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const env = { ...process.env, JUPYTER_PATH: projectJupyterDir(repoRoot) };
  const server: ChildProcess = spawn(
    'jupyter-notebook',
    ['--no-browser', `--port=${port}`, '--ip=127.0.0.1', `--NotebookApp.token=${token}`, `--notebook-dir=${repoRoot}`, '--allow-root'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let serverLog = '';
  server.stdout?.on('data', (c) => (serverLog += c));
  server.stderr?.on('data', (c) => (serverLog += c));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const started = Date.now();
  try {
    for (let i = 0; i < 60 && !serverLog.includes(`:${port}/`); i++) await new Promise((r) => setTimeout(r, 500));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const rel = path.relative(repoRoot, nbFile).split(path.sep).join('/');
    await page.goto(`http://127.0.0.1:${port}/notebooks/${rel}?token=${token}`);
    await page.waitForFunction(() => (globalThis as any).Jupyter?.notebook?.kernel?.is_connected?.(), null, { timeout: 120_000 });
    console.log(`browser check: notebook open, kernel connected; Cell → Run All, ${seconds} s of training`);
    await page.click('#celllink');
    await page.click('#run_all_cells');
    const deadline = Date.now() + (seconds + 300) * 1000;
    let state = '';
    while (Date.now() < deadline) {
      state = await page.evaluate(() => {
        const nb = (globalThis as any).Jupyter.notebook;
        const cells = nb.get_cells();
        const last = cells[cells.length - 1];
        const text = (last.output_area.outputs as any[]).map((o) => o.text ?? '').join('');
        if (text.includes('kernel still alive')) return 'done';
        if ((globalThis as any).document.querySelector('.modal-dialog')?.textContent?.match(/kernel.*(died|restarting)/i)) return 'dead';
        if (cells.some((c: any) => c.output_area.outputs.some((o: any) => o.output_type === 'error'))) return 'error';
        return '';
      });
      if (state) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    const outputs = await page.evaluate(() =>
      (globalThis as any).Jupyter.notebook.get_cells().map((c: any) => (c.output_area.outputs as any[]).map((o) => o.text ?? o.output_type).join('')),
    );
    console.log(`browser check: ${state || 'timed out'} after ${((Date.now() - started) / 1000).toFixed(0)} s; screenshot ${path.relative(process.cwd(), screenshot)}`);
    for (const [i, text] of outputs.entries()) console.log(`  cell ${i + 1} stream output: ${String(text).trim().split('\n').slice(-3).join(' | ')}`);
    if (state !== 'done') {
      console.error(serverLog.split('\n').slice(-30).join('\n'));
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
