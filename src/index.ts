/**
 * selfsup — self-supervised learning, hands-on in TypeScript.
 * Notebooks import everything from here: `import { useBackend, ntXentLoss } from 'selfsup'`.
 */
import { silenceTfjsBanner } from './backend/quiet';

export * from './backend';
export * from './data';
export * from './augment';
export * from './models';
export * from './losses';
export * from './train';
export * from './eval';
export * from './viz';

silenceTfjsBanner();
