/**
 * selfsup — self-supervised learning, hands-on in TypeScript.
 * Notebooks import everything from here: `import { useBackend, ntXentLoss } from 'selfsup'`.
 */
import { silenceTfjsBanner } from './backend/quiet';
import { registerConv2dGradient } from './backend/conv2d-grad';

export * from './backend';
export * from './data';
export * from './augment';
export * from './models';
export * from './losses';
export * from './train';
export * from './eval';
export * from './viz';

silenceTfjsBanner();
registerConv2dGradient(); // conv2d gradients for every dilation, on every backend (tfjs-core's refuses dilation > 1)
