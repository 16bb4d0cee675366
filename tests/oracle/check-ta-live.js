#!/usr/bin/env node
/*
 * check-ta-live.js FILE: compares tools/ta's indicators (FILE, written by
 * `tests/unit-ta --dump SEED N`) with the pure-JS package technicalindicators
 * (tests/node_modules, installed by scripts/setup). Run by
 * tests/cli-ta-oracle.sh; exits 1 and prints the first mismatch per
 * indicator when they disagree.
 *
 * technicalindicators seeds EMA and ATR as TA-Lib does, so SMA, EMA, ATR and
 * Bollinger bands must agree to 1e-6 relative from TA-Lib's first output on,
 * RSI to its 2-decimal rounding. Its MACD seeds each EMA on its own, so MACD
 * and signal are compared only after 200 bars, where the seeds have decayed
 * below 1e-6.
 */
'use strict';

const fs = require('fs');
const ti = require('technicalindicators');

const d = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const n = d.close.length;
let failed = 0;

/*
 * technicalindicators returns only the valid tail: its value j from the end
 * lines up with ours n-1-j. Our warm-up (nulls) must be exactly as long as
 * its missing head; values from index FROM on must be within TOL.
 */
function compare(name, ours, theirs, tol, from) {
	const head = n - theirs.length;
	let bad = null;
	for (let i = 0; i < n && bad === null; i++) {
		if (i < head) {
			if (ours[i] !== null)
				bad = i + ': ours ' + ours[i] + ' in warm-up';
			continue;
		}
		const t = theirs[i - head], o = ours[i];
		if (i < (from || 0) || t === undefined)
			continue;
		if (o === null || Math.abs(o - t) > tol(o, t))
			bad = i + ': ours ' + o + ', technicalindicators ' + t;
	}
	if (bad !== null) {
		console.log('FAIL ' + name + ' at ' + bad);
		failed++;
	} else {
		console.log('ok   ' + name);
	}
}

const rel = (o, t) => 1e-6 * Math.max(Math.abs(o), Math.abs(t)) + 1e-9;
const c = d.close;
compare('sma20', d.sma20, ti.SMA.calculate({ period: 20, values: c }), rel);
compare('sma50', d.sma50, ti.SMA.calculate({ period: 50, values: c }), rel);
compare('ema12', d.ema12, ti.EMA.calculate({ period: 12, values: c }), rel);
compare('ema26', d.ema26, ti.EMA.calculate({ period: 26, values: c }), rel);
compare('rsi14', d.rsi14, ti.RSI.calculate({ period: 14, values: c }),
	() => 0.005 + 1e-9);
compare('atr14', d.atr14, ti.ATR.calculate({ period: 14, high: d.high,
	low: d.low, close: c }), rel);
const bb = ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: c });
compare('bb_upper', d.bb_upper, bb.map((x) => x.upper), rel);
compare('bb_middle', d.bb_middle, bb.map((x) => x.middle), rel);
compare('bb_lower', d.bb_lower, bb.map((x) => x.lower), rel);
const m = ti.MACD.calculate({ values: c, fastPeriod: 12, slowPeriod: 26,
	signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false });
/* Its MACD starts at 25, ours (TA-Lib) at 33: compare the tail only. */
const tail = (ours) => ours.map((v, i) => (i < n - m.length ? null : v));
compare('macd (after 200 bars)', tail(d.macd), m.map((x) => x.MACD), rel,
	200);
compare('macd_signal (after 200 bars)', tail(d.macd_signal),
	m.map((x) => x.signal), rel, 200);
process.exit(failed ? 1 : 0);
