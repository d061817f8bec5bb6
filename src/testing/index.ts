/**
 * Test helpers for exercise test cells (`import { check, expectClose } from 'selfsup/testing'`):
 * named checks worth points each, tensor comparisons with readable messages, leak checks.
 * Every module of this package freezes its exports, and `check` reports a replaced
 * require.cache entry of any of them as tampering.
 */
import { addProbe, requireCacheProbe } from './guard';

export { check, CheckFailure, beginGradedCell, endGradedCell, receiveGraderSecret } from './check';
export { expectClose, expectShape, expectTrue, expectNoLeaks } from './expect';
export type { CloseOptions } from './expect';
export { CHECK_MIME } from './protocol';
export type { CheckRecord, CheckStatus } from './protocol';

addProbe(requireCacheProbe(module));
Object.freeze(module.exports);
