#!/usr/bin/env node
// make-cases.js OUT [CORPUS_DIR...] [--random N] [--seed S]: writes the
// test cases for unit-tokenizer: every corpus file whole, by paragraph and
// by line, plus N random strings, each with the ids js-tiktoken gives it.
//
// Record format (little-endian): u32 flags (1 = special tokens allowed),
// u32 byte length, the bytes, u32 id count, the ids.
//
// Invalid UTF-8: js-tiktoken takes JavaScript strings, so a case's bytes
// are decoded with TextDecoder (each ill-formed subsequence becomes one
// U+FFFD, the Unicode "maximal subpart" rule) and that string is encoded.
// The engine is given the raw bytes and must do the same replacement.
'use strict';
const fs = require('fs');
const path = require('path');
const o = require('./o200k.js');

const args = process.argv.slice(2);
let nrandom = 2000, seed = 12345;
const dirs = [];
let out = null;
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--random')
		nrandom = Number(args[++i]);
	else if (args[i] === '--seed')
		seed = Number(args[++i]);
	else if (out === null)
		out = args[i];
	else
		dirs.push(args[i]);
}
if (out === null) {
	console.error('usage: make-cases.js OUT [CORPUS_DIR...] [--random N]');
	process.exit(2);
}

// xorshift32, so every run makes the same cases for a seed.
let state = seed >>> 0 || 1;
function rnd() {
	state ^= state << 13; state >>>= 0;
	state ^= state >>> 17;
	state ^= state << 5; state >>>= 0;
	return state / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const range = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

// Code point ranges to draw from: scripts, marks, digits, symbols, emoji,
// spaces of every kind, and the odd corners (U+0085, U+FEFF, U+017F).
const BLOCKS = [
	[0x20, 0x7e], [0x20, 0x7e], [0x20, 0x7e], [0xa0, 0x24f],
	[0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x4ff], [0x530, 0x58f],
	[0x590, 0x5ff], [0x600, 0x6ff], [0x900, 0x97f], [0x980, 0x9ff],
	[0xe00, 0xe7f], [0x10a0, 0x10ff], [0x1100, 0x11ff], [0x1e00, 0x1eff],
	[0x2000, 0x206f], [0x20a0, 0x20cf], [0x2100, 0x214f], [0x2460, 0x24ff],
	[0x3000, 0x303f], [0x3040, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3],
	[0xfe00, 0xfe0f], [0xff00, 0xffef], [0x1d400, 0x1d7ff],
	[0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x2a6df],
	[0xe0000, 0xe007f], [0x10000, 0x10ffff],
];
const SPECIAL_CPS = [0x85, 0xfeff, 0x17f, 0x2028, 0x2029, 0x200b, 0x200d,
	0x301, 0x1f3fb, 0x0b, 0x0c];
const PIECES = [' ', '  ', '\n', '\r\n', '\t', "'s", "'S", "'ll", "'RE",
	"'ve", "'d", "'m", "'t", "'\u017f", '//', '/\n', '123', '4567',
	'<|start|>', '<|end|>', '<|message|>', '<|channel|>', '<|call|>',
	'<|return|>', '<|constrain|>', '<|endoftext|>', '<|endofprompt|>',
	'<|reserved_200100|>', '<|', '|>', 'Hello', 'WORLD', 'naïve',
	'Việt', 'tiếng', '\u00a0', '\u3000', '1,000.50', 'x=1;', '🙂', '👍🏽',
	'e\u0301', 'ﬁ'];

function randomCodePoint() {
	if (rnd() < 0.05)
		return pick(SPECIAL_CPS);
	const [lo, hi] = pick(BLOCKS);
	let cp = range(lo, hi);
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	return cp;
}

function randomCase() {
	const parts = [];
	const n = range(1, rnd() < 0.1 ? 400 : 40);
	for (let i = 0; i < n; i++) {
		const r = rnd();
		if (r < 0.55)
			parts.push(Buffer.from(String.fromCodePoint(randomCodePoint())));
		else if (r < 0.8)
			parts.push(Buffer.from(pick(PIECES)));
		else if (r < 0.9)
			parts.push(Buffer.from(pick([' ', '\n', '\t', '\r', '\u00a0',
				'\u0085', '\u2003']).repeat(range(1, 30))));
		else if (r < 0.95)
			parts.push(Buffer.from(pick(['a', 'Z', '9', '-', '_', 'é',
				'の']).repeat(range(10, 300))));
		else {
			// Raw bytes: truncated, overlong, surrogate and stray bytes.
			const b = [];
			for (let k = range(1, 4); k > 0; k--)
				b.push(pick([0x80, 0xbf, 0xc0, 0xc1, 0xc3, 0xe0, 0xed,
					0xa0, 0xf0, 0xf4, 0x90, 0xf5, 0xff, 0xe2, 0x82]));
			parts.push(Buffer.from(b));
		}
	}
	return Buffer.concat(parts);
}

const enc = o.encoding();
const dec = new TextDecoder('utf-8', { ignoreBOM: true });
const chunks = [];
function add(bytes, special) {
	const text = dec.decode(bytes);
	const ids = special ? enc.encode(text, 'all') : enc.encode(text, [], []);
	const head = Buffer.alloc(8);
	head.writeUInt32LE(special ? 1 : 0, 0);
	head.writeUInt32LE(bytes.length, 4);
	const tail = Buffer.alloc(4 + 4 * ids.length);
	tail.writeUInt32LE(ids.length, 0);
	ids.forEach((id, i) => tail.writeUInt32LE(id, 4 + 4 * i));
	chunks.push(head, bytes, tail);
}

let ncases = 0;
for (const dir of dirs) {
	for (const name of fs.readdirSync(dir).sort()) {
		const data = fs.readFileSync(path.join(dir, name));
		add(data, false);
		ncases++;
		const text = data.toString('latin1');
		for (const para of text.split(/\n\n/)) {
			add(Buffer.from(para, 'latin1'), false);
			ncases++;
		}
		for (const line of text.split(/\n/)) {
			add(Buffer.from(line, 'latin1'), false);
			ncases++;
		}
	}
}
for (let i = 0; i < nrandom; i++) {
	add(randomCase(), rnd() < 0.5);
	ncases++;
}
fs.writeFileSync(out, Buffer.concat(chunks));
console.error('make-cases: ' + ncases + ' cases');
