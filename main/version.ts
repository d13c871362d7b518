/** The package version, shown by `capfence --version`. */
export const VERSION = '0.1.0';
