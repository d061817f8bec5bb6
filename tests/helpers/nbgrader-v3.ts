import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { repoRoot } from './notebooks';

/**
 * A validator for nbgrader's own cell metadata schema, version 3 (tests/grader/fixtures/nbgrader/,
 * see its README). The schema declares JSON Schema draft-04; the keywords it uses (type, minimum,
 * maximum, pattern, minLength, maxLength, enum, required, additionalProperties) mean the same in
 * Ajv's default draft, so it is compiled without its $schema line.
 */
export function nbgraderV3Validator() {
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tests', 'grader', 'fixtures', 'nbgrader', 'v3.json'), 'utf8'));
  delete schema.$schema;
  return new Ajv({ allErrors: true }).compile(schema);
}
