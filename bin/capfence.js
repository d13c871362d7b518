#!/usr/bin/env node
// The CLI is a plain Node program compiled from main/cli; `npm install` builds it (prepare).
import { main } from '../dist/node/main/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
