// The mappers the reader hands each stack to (a seam: reader tests pass their own).
export { identityOf } from './identity.js';
export { mapStack } from './map.js';
