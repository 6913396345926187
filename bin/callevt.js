#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript (built by `npm install` through `prepare`).
import '../dist/src/cli/main.js';
