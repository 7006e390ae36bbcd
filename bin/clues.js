#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const main = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  console.error('clues: not built yet; run `npm install` (or `npm run build`) in the project folder first');
  process.exit(1);
}
require(main);
