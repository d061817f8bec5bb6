import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/**
 * Download `url` (http or https, following up to 5 redirects) into the file `dest`.
 * `onProgress(doneBytes, totalBytes)` is called as data arrives (total is 0 when the server
 * sends no Content-Length). Rejects on a non-2xx status.
 */
export async function downloadFile(
  url: string,
  dest: string,
  onProgress: (done: number, total: number) => void = () => {},
  redirectsLeft = 5,
): Promise<void> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    get(url, resolve).on('error', reject);
  });
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    response.resume();
    if (redirectsLeft <= 0) throw new Error(`Error in downloadFile: too many redirects from ${url}`);
    return downloadFile(new URL(response.headers.location, url).toString(), dest, onProgress, redirectsLeft - 1);
  }
  if (status < 200 || status >= 300) {
    response.resume();
    throw new Error(`Error in downloadFile: GET ${url} answered HTTP ${status}`);
  }
  const total = Number(response.headers['content-length'] ?? 0);
  let done = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      done += chunk.length;
      onProgress(done, total);
      callback(null, chunk);
    },
  });
  await pipeline(response, counter, fs.createWriteStream(dest));
}
