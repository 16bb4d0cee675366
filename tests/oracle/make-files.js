#!/usr/bin/env node
// make-files.js DIR: writes DIR/o200k_base.tiktoken and DIR/tokenizer.json
// from js-tiktoken's o200k_base ranks (see o200k.js).
'use strict';
const path = require('path');
const o = require('./o200k.js');
const dir = process.argv[2];
if (!dir) {
	console.error('usage: make-files.js DIR');
	process.exit(2);
}
o.writeTiktoken(path.join(dir, 'o200k_base.tiktoken'));
o.writeTokenizerJson(path.join(dir, 'tokenizer.json'));
