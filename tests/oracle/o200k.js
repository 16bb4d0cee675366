// o200k.js: the test oracle. js-tiktoken's o200k_base ranks with the
// o200k_harmony special tokens, and writers for the two tokenizer file
// formats the engine loads (o200k_base.tiktoken and an HF tokenizer.json
// built from the ranks the way transformers' GptOssConverter does).
//
// js-tiktoken runs the o200k regex with JavaScript's RegExp, whose \s is
// not tiktoken's (Rust regex): JavaScript counts U+FEFF as space and not
// U+0085, Rust the reverse; and Rust's (?i) also matches 'ſ (U+017F) as 's.
// The pattern is patched here so the oracle follows tiktoken exactly.
'use strict';
const path = require('path');
const fs = require('fs');
const { Tiktoken } = require('js-tiktoken/lite');
const o200k = require('js-tiktoken/ranks/o200k_base');

const HARMONY_SPECIALS = {
	'<|startoftext|>': 199998, '<|endoftext|>': 199999,
	'<|reserved_200000|>': 200000, '<|reserved_200001|>': 200001,
	'<|return|>': 200002, '<|constrain|>': 200003,
	'<|reserved_200004|>': 200004, '<|channel|>': 200005,
	'<|start|>': 200006, '<|end|>': 200007, '<|message|>': 200008,
	'<|reserved_200009|>': 200009, '<|reserved_200010|>': 200010,
	'<|reserved_200011|>': 200011, '<|call|>': 200012,
	'<|reserved_200013|>': 200013,
};
for (let id = 200014; id <= 201088; id++)
	HARMONY_SPECIALS['<|reserved_' + id + '|>'] = id;

// tiktoken's (Rust) pattern semantics in JavaScript syntax.
function rustPattern(pat) {
	return pat.replace(/\\s/g, '\\p{White_Space}')
	    .replace(/\\S/g, '\\P{White_Space}')
	    .replace(/\('s\|'S\|/g, "('s|'S|'\u017f|");
}

function encoding() {
	const ranks = { ...o200k, pat_str: rustPattern(o200k.pat_str),
		special_tokens: {} };
	return new Tiktoken(ranks, HARMONY_SPECIALS);
}

// [{bytes: Buffer, rank}] for the 199998 mergeable ranks, in rank order.
function ranks() {
	const out = [];
	for (const line of o200k.bpe_ranks.split('\n')) {
		if (!line)
			continue;
		const [, first, ...toks] = line.split(' ');
		toks.forEach((t, i) => out.push({
			bytes: Buffer.from(t, 'base64'),
			rank: Number(first) + i }));
	}
	out.sort((a, b) => a.rank - b.rank);
	return out;
}

function writeTiktoken(file) {
	const lines = ranks().map((r) => r.bytes.toString('base64') + ' ' +
	    r.rank);
	fs.writeFileSync(file, lines.join('\n') + '\n');
}

// GPT-2 bytes_to_unicode.
function byteLevel() {
	const map = [];
	let n = 0;
	for (let b = 0; b < 256; b++) {
		const keep = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) ||
		    (b >= 174 && b <= 255);
		map[b] = String.fromCodePoint(keep ? b : 256 + n++);
	}
	return map;
}

// The pattern as tiktoken and the HF converter write it.
const O200K_PATTERN = [
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
	"\\p{N}{1,3}",
	" ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
	"\\s*[\\r\\n]+",
	"\\s+(?!\\S)",
	"\\s+",
].join('|');

// HF tokenizer.json: vocab through bytes_to_unicode, merges = every split
// of every token into two tokens, by rank (GptOssConverter /
// TikTokenConverter.extract_vocab_merges_from_model).
function writeTokenizerJson(file) {
	const bl = byteLevel();
	const rk = ranks();
	const vocab = {};
	const byBytes = new Map();
	for (const r of rk) {
		const s = Array.from(r.bytes, (b) => bl[b]).join('');
		vocab[s] = r.rank;
		byBytes.set(r.bytes.toString('latin1'), r.rank);
	}
	const merges = [];
	for (const r of rk) {
		const local = [];
		const key = r.bytes.toString('latin1');
		for (let i = 1; i < key.length; i++) {
			const a = byBytes.get(key.slice(0, i));
			const b = byBytes.get(key.slice(i));
			if (a !== undefined && b !== undefined)
				local.push([a, b]);
		}
		local.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
		for (const [a, b] of local)
			merges.push([rk[a].bytes, rk[b].bytes]);
	}
	const names = { 199998: '<|startoftext|>', 199999: '<|endoftext|>',
		200002: '<|return|>', 200003: '<|constrain|>',
		200005: '<|channel|>', 200006: '<|start|>', 200007: '<|end|>',
		200008: '<|message|>', 200012: '<|call|>',
		200018: '<|endofprompt|>' };
	const added = [];
	for (let id = 199998; id <= 200018; id++)
		added.push({ id, content: names[id] || '<|reserved_' + id + '|>',
			single_word: false, lstrip: false, rstrip: false,
			normalized: false, special: true });
	const tj = {
		version: '1.0', truncation: null, padding: null,
		added_tokens: added, normalizer: null,
		pre_tokenizer: { type: 'Sequence', pretokenizers: [
			{ type: 'Split', pattern: { Regex: O200K_PATTERN },
				behavior: 'Isolated', invert: false },
			{ type: 'ByteLevel', add_prefix_space: false,
				trim_offsets: true, use_regex: false }] },
		post_processor: { type: 'ByteLevel', add_prefix_space: true,
			trim_offsets: false, use_regex: true },
		decoder: { type: 'ByteLevel', add_prefix_space: true,
			trim_offsets: true, use_regex: true },
		model: { type: 'BPE', dropout: null, unk_token: null,
			continuing_subword_prefix: null,
			end_of_word_suffix: null, fuse_unk: false,
			byte_fallback: false, ignore_merges: true, vocab,
			merges: merges.map(([a, b]) => [
				Array.from(a, (x) => bl[x]).join(''),
				Array.from(b, (x) => bl[x]).join('')]) },
	};
	fs.writeFileSync(file, JSON.stringify(tj));
}

module.exports = { encoding, ranks, writeTiktoken, writeTokenizerJson,
	HARMONY_SPECIALS };
