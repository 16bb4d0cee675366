#!/usr/bin/env node
/*
 * record-ta.js: records TA-Lib's own results as fixtures for tests/unit-ta.c.
 *
 * The npm package `talib` wraps TA-Lib's C sources (compiled at install), so
 * these values come from an implementation independent of tools/ta/. The
 * input series are generated here from a fixed seed and written into the
 * fixtures next to the outputs, so the test needs neither node nor talib.
 *
 * Re-run (from the repository root; talib builds native code, ~1 minute;
 * install it OUTSIDE the repository):
 *   mkdir -p /tmp/ta-oracle && (cd /tmp/ta-oracle && npm install talib@1.1.6)
 *   NODE_PATH=/tmp/ta-oracle/node_modules node tests/oracle/record-ta.js
 *   /usr/bin/python3 tests/oracle/record-ta-stats.py  # numpy statistics
 * Writes tests/fixtures/ta/{trend,volatile,market}.json.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const talib = require('talib');

const outDir = path.join(__dirname, '..', 'fixtures', 'ta');

/* mulberry32: small deterministic PRNG, same numbers on every machine. */
function rng(seed) {
	let a = seed >>> 0;
	return function () {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/* Approximately normal: sum of 4 uniforms, centred, unit variance. */
function normal(r) {
	return (r() + r() + r() + r() - 2) * Math.sqrt(3);
}

const cents = (x) => Math.round(x * 100) / 100;

function ymd(d) {
	return d.toISOString().slice(0, 10);
}

/*
 * Trading days from START: weekdays, minus the dates in SKIP (holidays,
 * a suspension); N of them.
 */
function tradingDays(start, n, skip) {
	const out = [];
	const d = new Date(start + 'T00:00:00Z');
	while (out.length < n) {
		const wd = d.getUTCDay();
		const s = ymd(d);
		if (wd !== 0 && wd !== 6 && !skip.has(s))
			out.push(s);
		d.setUTCDate(d.getUTCDate() + 1);
	}
	return out;
}

/*
 * OHLCV random walk. SPEC: seed, n, start price, daily drift and vol,
 * flat: [from, to) bars with an unchanging price (high = low = close),
 * gap: {at, pct} an opening gap, market: {ret, beta} adds BETA times the
 * market's return on the same date, RET.get(DATES[i]), so that the beta
 * test has something to find.
 */
function makeSeries(spec, dates) {
	const r = rng(spec.seed);
	const bars = { open: [], high: [], low: [], close: [], volume: [] };
	let prev = spec.start;
	for (let i = 0; i < spec.n; i++) {
		let open = prev * (1 + 0.003 * normal(r));
		if (spec.gap && i === spec.gap.at)
			open = prev * (1 + spec.gap.pct / 100);
		let move = spec.drift + spec.vol * normal(r);
		if (spec.market && spec.market.ret.has(dates[i]))
			move += spec.market.beta *
			    spec.market.ret.get(dates[i]);
		let close = open * (1 + move);
		let high = Math.max(open, close) * (1 + 0.01 * r());
		let low = Math.min(open, close) * (1 - 0.01 * r());
		let volume = Math.round(1e6 * (0.5 + r()));
		if (spec.flat && i >= spec.flat[0] && i < spec.flat[1]) {
			open = high = low = close = prev;
			volume = 0;
		}
		bars.open.push(cents(open));
		bars.high.push(cents(high));
		bars.low.push(cents(low));
		bars.close.push(cents(close));
		bars.volume.push(volume);
		prev = cents(close);
	}
	return bars;
}

function run(name, inputs, opts) {
	const r = talib.execute(Object.assign({ name: name, startIdx: 0,
		endIdx: (inputs.close || inputs.inReal).length - 1 }, inputs,
		opts));
	if (r.error)
		throw new Error(name + ': ' + r.error);
	return r;
}

/* The indicator cases: standard periods plus a couple of others. */
function cases(bars) {
	const c = { inReal: bars.close };
	const hlc = { high: bars.high, low: bars.low, close: bars.close };
	const out = [];
	for (const p of [5, 20, 50, 200]) {
		const r = run('SMA', c, { optInTimePeriod: p });
		out.push({ fn: 'sma', period: p, begin: r.begIndex,
			out: { real: r.result.outReal } });
	}
	for (const p of [9, 12, 26, 50]) {
		const r = run('EMA', c, { optInTimePeriod: p });
		out.push({ fn: 'ema', period: p, begin: r.begIndex,
			out: { real: r.result.outReal } });
	}
	for (const p of [7, 14]) {
		const r = run('RSI', c, { optInTimePeriod: p });
		out.push({ fn: 'rsi', period: p, begin: r.begIndex,
			out: { real: r.result.outReal } });
	}
	for (const [f, s, g] of [[12, 26, 9], [5, 35, 5]]) {
		const r = run('MACD', c, { optInFastPeriod: f,
			optInSlowPeriod: s, optInSignalPeriod: g });
		out.push({ fn: 'macd', fast: f, slow: s, signal: g,
			begin: r.begIndex, out: { macd: r.result.outMACD,
				signal: r.result.outMACDSignal,
				hist: r.result.outMACDHist } });
	}
	for (const [p, k] of [[20, 2], [10, 1.5]]) {
		const r = run('BBANDS', c, { optInTimePeriod: p,
			optInNbDevUp: k, optInNbDevDn: k, optInMAType: 0 });
		out.push({ fn: 'bbands', period: p, k: k, begin: r.begIndex,
			out: { upper: r.result.outRealUpperBand,
				middle: r.result.outRealMiddleBand,
				lower: r.result.outRealLowerBand } });
	}
	for (const p of [5, 14]) {
		const r = run('ATR', hlc, { optInTimePeriod: p });
		out.push({ fn: 'atr', period: p, begin: r.begIndex,
			out: { real: r.result.outReal } });
	}
	return out;
}

const holidays = ['2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27',
	'2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25',
	'2025-01-01', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26',
	'2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25'];
/* A one-week trading suspension for the "trend" stock only. */
const suspension = ['2024-10-14', '2024-10-15', '2024-10-16', '2024-10-17',
	'2024-10-18'];
/* The market series misses one day the stocks have, and vice versa. */
const marketOnly = ['2024-08-12'];

const market = { name: 'market', seed: 500, n: 430, start: 4700,
	drift: 0.0004, vol: 0.009, skip: holidays.concat(['2024-03-11']) };
const marketDates = tradingDays('2024-01-02', market.n, new Set(market.skip));
const marketBars = makeSeries(market, marketDates);
const marketRet = new Map(marketDates.slice(1).map((d, i) =>
	[d, marketBars.close[i + 1] / marketBars.close[i] - 1]));

const specs = [
	{ name: 'trend', seed: 20240102, n: 400, start: 100, drift: 0.0008,
		vol: 0.012, flat: [150, 180], gap: { at: 250, pct: 8 },
		skip: holidays.concat(suspension),
		market: { ret: marketRet, beta: 0.6 } },
	{ name: 'volatile', seed: 7, n: 420, start: 48.5, drift: -0.0002,
		vol: 0.028, flat: [300, 312], gap: { at: 200, pct: -15 },
		skip: holidays.concat(marketOnly),
		market: { ret: marketRet, beta: 1.4 } },
	market,
];

for (const spec of specs) {
	const dates = tradingDays('2024-01-02', spec.n, new Set(spec.skip));
	const bars = makeSeries(spec, dates);
	const doc = {
		description: 'TA-Lib ' + talib.version + ' (npm talib) on a ' +
			'generated series; recorded by ' +
			'tests/oracle/record-ta.js',
		name: spec.name,
		date: dates,
		open: bars.open, high: bars.high, low: bars.low,
		close: bars.close, volume: bars.volume,
		cases: cases(bars),
	};
	const file = path.join(outDir, spec.name + '.json');
	fs.writeFileSync(file, JSON.stringify(doc) + '\n');
	console.log('wrote ' + file);
}
