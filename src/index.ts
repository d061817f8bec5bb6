/**
 * selfsup — self-supervised learning, hands-on in TypeScript.
 * Notebooks import everything from here: `import { useBackend } from 'selfsup'`.
 */
import { silenceTfjsBanner } from './backend/quiet';

export * from './backend';

silenceTfjsBanner();
