import { writeFileAtomicSync } from '../../io/write-file-atomic';

/** Write a report file so that readers see the old content or the new, never half of it. */
export function writeAtomic(file: string, content: string | Buffer): void {
  writeFileAtomicSync(file, content);
}
