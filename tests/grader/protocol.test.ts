import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signCheck, verifyCheck, type CheckRecord } from '../../src/testing/protocol';

const record: CheckRecord = { gradeId: 'ex1', name: 'adds', status: 'pass', points: 1, maxPoints: 1, message: '' };

test('a signed check verifies only with its token and unchanged fields', () => {
  const signature = signCheck(record, 'token-a');
  assert.equal(verifyCheck({ ...record, signature }, 'token-a'), true);
  assert.equal(verifyCheck({ ...record, signature }, 'token-b'), false);
  assert.equal(verifyCheck({ ...record, signature: null }, 'token-a'), false);
  for (const change of [{ status: 'fail' }, { points: 2 }, { name: 'other' }, { gradeId: 'ex2' }, { maxPoints: 5 }, { message: 'x' }] as const) {
    assert.equal(verifyCheck({ ...record, ...change, signature }, 'token-a'), false, JSON.stringify(change));
  }
});
