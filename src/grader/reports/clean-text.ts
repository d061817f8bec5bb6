/**
 * Text made safe for a report: control characters other than tab and newline removed (NUL bytes
 * from a file read in the wrong encoding, terminal escapes, C1 controls), carriage returns made
 * newlines, and unpaired UTF-16 surrogates replaced by U+FFFD, so that CSV, Markdown and XML
 * readers get valid UTF-8 text.
 */
export function cleanText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** A JSON.stringify replacer that cleans every string. */
export function cleanStrings(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? cleanText(value) : value;
}
