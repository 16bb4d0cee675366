#!/usr/bin/env node
// bench.js FILE: encode FILE with js-tiktoken (o200k + harmony specials)
// and print "js-tiktoken MB/s TOKENS" (encode time only, best of 3).
'use strict';
const fs = require('fs');
const o = require('./o200k.js');
const enc = o.encoding();
const text = new TextDecoder('utf-8', { ignoreBOM: true })
    .decode(fs.readFileSync(process.argv[2]));
const bytes = Buffer.byteLength(text);
let best = Infinity, n = 0;
for (let r = 0; r < 3; r++) {
	const t0 = process.hrtime.bigint();
	n = enc.encode(text, [], []).length;
	const dt = Number(process.hrtime.bigint() - t0) / 1e9;
	best = Math.min(best, dt);
}
console.log('js-tiktoken ' + (bytes / 1e6 / best).toFixed(2) + ' ' + n);
