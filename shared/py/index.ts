/** Python semantics the original CapFence's decisions depend on, reproduced exactly. */
export * from './values.js';
export * from './repr.js';
export * from './float.js';
export * from './fnmatch.js';
export * from './equals.js';
export * from './regex.js';
export * from './json.js';
