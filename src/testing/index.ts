/**
 * Test helpers for exercise test cells (`import { check, expectClose } from 'selfsup/testing'`):
 * named checks worth points each, tensor comparisons with readable messages, leak checks.
 */
export { check, CheckFailure, beginGradedCell } from './check';
export { expectClose, expectShape, expectTrue, expectNoLeaks } from './expect';
export type { CloseOptions } from './expect';
export { CHECK_MIME } from './protocol';
export type { CheckRecord, CheckStatus } from './protocol';
