#!/usr/bin/env node
// tests/servers/market-fake.js: Yahoo Finance and Stooq on 127.0.0.1, in
// their real answer shapes, for the market providers' tests. Node's
// standard library only.
//
//   node market-fake.js [--log FILE]
//
// Prints "PORT" on stdout once listening. Every request line is appended
// to FILE (one a line), so a test can count what reached the network.
//
// Yahoo (point yahoo_url, yahoo_cookie_url=URL/cookie and
// yahoo_news_url=URL/rss at it):
//   GET /cookie                          404 + Set-Cookie A3 (fc.yahoo.com)
//   GET /v1/test/getcrumb                the crumb, text/plain; 401 without
//                                        the cookie
//   GET /v8/finance/chart/SYM?period1=&period2=&interval=1d&events=div,split
//   GET /v10/finance/quoteSummary/SYM?modules=...&crumb=C
//                                        401 "Invalid Crumb" for a stale crumb
//   GET /v1/finance/search?q=TEXT        {"quotes":[...]}
//   GET /rss?s=SYM                       RSS 2.0 headlines
//   GET /__rotate                        a new crumb: the old one is refused
// Stooq (point stooq_url at it):
//   GET /q/d/l/?s=aapl.us&i=d&d1=YYYYMMDD&d2=YYYYMMDD   Date,Open,...,Volume
//
// THROT200 answers its first request "Too Many Requests" with HTTP 200.
// Symbols: AAPL and ^GSPC (normal series; AAPL has a 4:1 split on
// 2024-06-10, quarterly dividends, one all-null row and one null open);
// MSFT (only on Stooq: Yahoo says not found); ZZZZ (unknown everywhere);
// THROT (429 with Retry-After: 1 once, then data); BUSY (429 always);
// HTMLX (a 200 HTML page); TRUNC (truncated JSON); SLOW (answers after
// 3 s); 7203.T (Tokyo, gmtoffset +9 h); ROT (its first quoteSummary finds
// the crumb expired: 401, a new handshake is needed). A request line in
// the log ends with " gz" when the client offered gzip. JSON is gzipped when the client
// accepts gzip, as Yahoo does.
'use strict';
const http = require('http');
const fs = require('fs');
const zlib = require('zlib');
const { URL } = require('url');

const args = process.argv.slice(2);
const logFile = args.indexOf('--log') >= 0 ?
	args[args.indexOf('--log') + 1] : null;

let crumb = 'cr4mb.Q1';
let crumbNo = 1;
const seen = {};

const DAY = 86400;
const SPLIT = Date.UTC(2024, 5, 10) / 1000 / DAY; // 2024-06-10
const DIVS = [[2023, 1, 10], [2023, 4, 12], [2023, 7, 11], [2023, 10, 10],
	[2024, 1, 9], [2024, 4, 10], [2024, 7, 12], [2024, 10, 8],
	[2025, 1, 10], [2025, 4, 11], [2025, 7, 11], [2025, 10, 10],
	[2026, 1, 9], [2026, 4, 10], [2026, 7, 10], [2026, 10, 9]]
	.map(([y, m, d]) => Date.UTC(y, m, d) / 1000 / DAY);
const HOLE = Date.UTC(2025, 2, 12) / 1000 / DAY;     // all null
const NULLOPEN = Date.UTC(2025, 2, 13) / 1000 / DAY; // open null

function weekday(day) {
	const w = (day + 4) % 7; // 1970-01-01 was a Thursday
	return w !== 0 && w !== 6;
}

// The traded (unadjusted) close of SYM on DAY: a smooth deterministic path
// on today's basis, times 4 before the split.
function basis(sym, day) {
	const k = sym === '^GSPC' ? 4500 : sym === '7203.T' ? 2500 : 150;
	const a = sym === '^GSPC' ? 0.6 : 1;
	return k * Math.exp(0.0003 * (day - 19000) +
		0.03 * a * Math.sin(day / 9) + 0.015 * Math.sin(day / 2.3));
}
const splits = (sym) => sym === 'AAPL';
const pays = (sym) => sym === 'AAPL';
function traded(sym, day) {
	return basis(sym, day) * (splits(sym) && day < SPLIT ? 4 : 1);
}
const r2 = (x) => Math.round(x * 100) / 100;

function series(sym, p1, p2, off) {
	const rows = [];
	for (let t = Math.floor(p1 / DAY); t * DAY < p2; t++)
		if (weekday(t)) rows.push(t);
	// Adjustment factors from later events, the CRSP rule Yahoo uses.
	const ts = [], o = [], h = [], l = [], c = [], v = [], adj = [];
	const divs = {}, spl = {};
	let f = 1;
	for (let i = rows.length - 1; i >= 0; i--) {
		const d = rows[i], cl = r2(traded(sym, d));
		ts[i] = d * DAY + (sym === '7203.T' ? -32400 : 14 * 3600 + 1800);
		c[i] = cl;
		o[i] = r2(cl * (1 + 0.004 * Math.sin(d)));
		h[i] = r2(Math.max(o[i], cl) * 1.011);
		l[i] = r2(Math.min(o[i], cl) * 0.989);
		v[i] = 40000000 + Math.round(10000000 * Math.cos(d / 3));
		adj[i] = cl * f;
		if (i > 0) {
			const prev = r2(traded(sym, rows[i - 1]));
			if (pays(sym) && DIVS.some((x) => x > rows[i - 1] &&
				x <= d)) {
				const amt = d < SPLIT ? 0.96 : 0.25;
				divs[d * DAY + 14 * 3600 + 1800] =
					{ amount: amt, date: d * DAY + 14 * 3600 + 1800 };
				f *= 1 - amt / prev;
			}
			if (splits(sym) && SPLIT > rows[i - 1] && SPLIT <= d) {
				spl[d * DAY + 14 * 3600 + 1800] = { date: d * DAY +
					14 * 3600 + 1800, numerator: 4,
					denominator: 1, splitRatio: '4:1' };
				f /= 4;
			}
		}
		if (sym === 'AAPL' && d === HOLE) {
			o[i] = h[i] = l[i] = c[i] = v[i] = adj[i] = null;
		}
		if (sym === 'AAPL' && d === NULLOPEN) o[i] = null;
	}
	for (let i = 0; i < adj.length; i++)
		if (adj[i] !== null) adj[i] = Math.round(adj[i] * 1e6) / 1e6;
	return { rows, ts, o, h, l, c, v, adj, divs, spl };
}

function chart(sym, q) {
	const p1 = Number(q.get('period1')), p2 = Number(q.get('period2'));
	const off = sym === '7203.T' ? 32400 : -18000;
	const s = series(sym, p1, p2, off);
	const last = s.c[s.c.length - 1];
	const meta = {
		currency: sym === '7203.T' ? 'JPY' : 'USD', symbol: sym,
		exchangeName: sym === '7203.T' ? 'JPX' : 'NMS',
		fullExchangeName: sym === '7203.T' ? 'Tokyo' : 'NasdaqGS',
		instrumentType: sym[0] === '^' ? 'INDEX' : 'EQUITY',
		firstTradeDate: 345479400, regularMarketTime: p2 - DAY,
		hasPrePostMarketData: true, gmtoffset: off,
		timezone: sym === '7203.T' ? 'JST' : 'EST',
		exchangeTimezoneName: sym === '7203.T' ? 'Asia/Tokyo' :
			'America/New_York',
		regularMarketPrice: last, chartPreviousClose: s.c[0],
		longName: sym === 'AAPL' ? 'Apple Inc.' : sym,
		shortName: sym === 'AAPL' ? 'Apple Inc.' : sym,
		priceHint: 2, dataGranularity: '1d', range: '',
		validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y',
			'10y', 'ytd', 'max'],
	};
	const result = { meta, timestamp: s.ts,
		indicators: { quote: [{ open: s.o, high: s.h, low: s.l,
			close: s.c, volume: s.v }],
		adjclose: [{ adjclose: s.adj }] } };
	if (Object.keys(s.divs).length || Object.keys(s.spl).length)
		result.events = { dividends: s.divs, splits: s.spl };
	return { chart: { result: [result], error: null } };
}

const raw = (x, fmt) => ({ raw: x, fmt: fmt || String(x) });

function summary(sym) {
	return { quoteSummary: { result: [{
		assetProfile: { sector: 'Technology',
			industry: 'Consumer Electronics',
			longBusinessSummary: 'Apple Inc. designs, manufactures ' +
				'and markets smartphones, personal computers, ' +
				'tablets, wearables and accessories.',
			country: 'United States', maxAge: 86400 },
		price: { maxAge: 1, regularMarketPrice: raw(230.49),
			currency: 'USD', exchangeName: 'NasdaqGS',
			quoteType: 'EQUITY', symbol: sym, shortName: 'Apple Inc.',
			longName: 'Apple Inc.', marketCap: raw(3.5e12, '3.5T') },
		summaryDetail: { maxAge: 1, trailingPE: raw(34.78),
			forwardPE: raw(30.6), dividendRate: raw(1.0),
			dividendYield: raw(0.0044, '0.44%'), beta: raw(1.24),
			averageVolume: raw(54652203), marketCap: raw(3.5e12),
			fiftyTwoWeekHigh: {}, currency: 'USD' },
		defaultKeyStatistics: { maxAge: 1,
			sharesOutstanding: raw(15204100000),
			bookValue: raw(4.38), priceToBook: raw(52.6),
			trailingEps: raw(6.63), forwardEps: raw(7.53),
			profitMargins: raw(0.2397, '23.97%'), beta: raw(1.24) },
		financialData: { maxAge: 86400, currentPrice: raw(230.49),
			totalRevenue: raw(391035000000, '391.04B'),
			profitMargins: raw(0.2397, '23.97%'),
			financialCurrency: 'USD' },
	}], error: null } };
}

function rss(sym) {
	const items = [
		['Apple &amp; partners unveil new chips', 'Tue, 02 Sep 2025 14:05:00 +0000'],
		['<![CDATA[Apple shares rise after earnings beat]]>', 'Mon, 01 Sep 2025 20:30:00 GMT'],
		['Analysts weigh Apple&#39;s services growth', 'Fri, 29 Aug 2025 12:00:00 -0400'],
		['Future headline after the as-of date', 'Wed, 01 Jul 2026 12:00:00 +0000'],
	];
	return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
		'<rss version="2.0"><channel><copyright>Copyright (c) 2025 ' +
		'Yahoo! Inc. All rights reserved.</copyright><description>' +
		'Latest Financial News for ' + sym + '</description>' +
		'<language>en-US</language><title>Yahoo! Finance: ' + sym +
		' News</title>' + items.map(([t, d], i) => '<item><description>' +
		'Body ' + i + '</description><guid isPermaLink="false">g' + i +
		'</guid><link>https://finance.yahoo.com/news/item-' + i +
		'.html</link><pubDate>' + d + '</pubDate><title>' + t +
		'</title></item>').join('') + '</channel></rss>';
}

function send(req, res, status, type, body, headers) {
	const h = Object.assign({ 'Content-Type': type }, headers || {});
	let b = Buffer.from(body);
	if (/gzip/.test(req.headers['accept-encoding'] || '') &&
		/json/.test(type)) {
		b = zlib.gzipSync(b);
		h['Content-Encoding'] = 'gzip';
	}
	h['Content-Length'] = b.length;
	res.writeHead(status, h);
	res.end(b);
}
const json = (req, res, status, obj, headers) =>
	send(req, res, status, 'application/json;charset=utf-8',
		JSON.stringify(obj), headers);

function hasCookie(req) {
	return /(^|;\s*)A3=d=AQAB/.test(req.headers.cookie || '');
}

function yahooChart(req, res, sym, q) {
	if (sym === 'ZZZZ' || sym === 'MSFT')
		return json(req, res, 404, { chart: { result: null, error: {
			code: 'Not Found',
			description: 'No data found, symbol may be delisted' } } });
	if (sym === 'THROT' && !seen.throt) {
		seen.throt = 1;
		return send(req, res, 429, 'text/plain', 'Too Many Requests',
			{ 'Retry-After': '1' });
	}
	if (sym === 'THROT200' && !seen.throt200) {
		seen.throt200 = 1;
		return send(req, res, 200, 'text/plain', 'Too Many Requests');
	}
	if (sym === 'BUSY')
		return send(req, res, 429, 'text/plain', 'Too Many Requests',
			{ 'Retry-After': '1' });
	if (sym === 'HTMLX')
		return send(req, res, 200, 'text/html', '<!DOCTYPE html><html>' +
			'<body>Will be right back...</body></html>');
	const body = JSON.stringify(chart(sym === 'THROT' || sym === 'ROT' ||
		sym === 'THROT200' ? 'AAPL' : sym, q));
	if (sym === 'TRUNC')
		return send(req, res, 200, 'application/json',
			body.slice(0, body.length / 2));
	if (sym === 'SLOW')
		return setTimeout(() => send(req, res, 200,
			'application/json', body), 3000);
	return send(req, res, 200, 'application/json', body);
}

function yahooSummary(req, res, sym, q) {
	// ROT: the crumb expires on the first request for it, as Yahoo's do.
	if (sym === 'ROT' && !seen.rot) {
		seen.rot = 1;
		crumb = 'cr4mb' + ++crumbNo;
	}
	if (!hasCookie(req) || q.get('crumb') !== crumb)
		return json(req, res, 401, { finance: { result: null, error: {
			code: 'Unauthorized', description: 'Invalid Crumb' } } });
	if (sym !== 'AAPL' && sym !== 'THROT' && sym !== '7203.T' &&
		sym !== 'ROT')
		return json(req, res, 404, { quoteSummary: { result: null,
			error: { code: 'Not Found', description:
				'Quote not found for ticker symbol: ' + sym } } });
	return json(req, res, 200, summary(sym));
}

function stooq(req, res, q) {
	const s = (q.get('s') || '').toLowerCase();
	if (s === 'zzzz.us')
		return send(req, res, 200, 'text/plain', 'No data');
	if (s === 'limit.us')
		return send(req, res, 200, 'text/plain',
			'Exceeded the daily hits limit');
	if (s === 'htmlx.us')
		return send(req, res, 200, 'text/html', '<!DOCTYPE html><html>' +
			'<body>Get your apikey: /q/d/?s=spy.us&get_apikey' +
			'</body></html>');
	const sym = s === 'msft.us' ? 'MSFT' : s === 'aapl.us' ? 'AAPL' :
		s === '^spx' ? '^GSPC' : null;
	if (sym === null)
		return send(req, res, 200, 'text/plain', 'No data');
	const d = (x) => Date.UTC(Number(x.slice(0, 4)),
		Number(x.slice(4, 6)) - 1, Number(x.slice(6, 8))) / 1000;
	const sr = series(sym, d(q.get('d1')), d(q.get('d2')) + DAY, 0);
	let out = 'Date,Open,High,Low,Close,Volume\r\n';
	sr.rows.forEach((day, i) => {
		if (sr.c[i] === null) return;
		// Stooq's prices are split-adjusted.
		const k = splits(sym) && day < SPLIT ? 0.25 : 1;
		out += new Date(day * DAY * 1000).toISOString().slice(0, 10) +
			',' + [sr.o[i] || sr.c[i], sr.h[i], sr.l[i], sr.c[i]]
			.map((x) => r2(x * k)).join(',') + ',' + sr.v[i] + '\r\n';
	});
	send(req, res, 200, 'text/csv', out);
}

const server = http.createServer((req, res) => {
	if (logFile) fs.appendFileSync(logFile, req.method + ' ' + req.url +
		(/gzip/.test(req.headers['accept-encoding'] || '') ? ' gz' : '') +
		'\n');
	const u = new URL(req.url, 'http://x');
	const q = u.searchParams;
	const p = decodeURIComponent(u.pathname);
	let m;
	if (p === '/cookie')
		return send(req, res, 404, 'text/html', 'not here',
			{ 'Set-Cookie': 'A3=d=AQAB&S=x; Expires=Fri, 01 Jan ' +
				'2100 00:00:00 GMT; Path=/; HttpOnly' });
	if (p === '/v1/test/getcrumb')
		return hasCookie(req) ?
			send(req, res, 200, 'text/plain', crumb) :
			send(req, res, 401, 'text/plain', '');
	if (p === '/__rotate') {
		crumb = 'cr4mb' + ++crumbNo;
		return send(req, res, 200, 'text/plain', crumb);
	}
	if ((m = /^\/v8\/finance\/chart\/(.+)$/.exec(p)))
		return yahooChart(req, res, m[1], q);
	if ((m = /^\/v10\/finance\/quoteSummary\/(.+)$/.exec(p)))
		return yahooSummary(req, res, m[1], q);
	if (p === '/v1/finance/search') {
		const t = (q.get('q') || '').toLowerCase();
		const quotes = /apple/.test(t) ? [
			{ exchange: 'NMS', shortname: 'Apple Inc.',
				quoteType: 'EQUITY', symbol: 'AAPL', index: 'quotes',
				score: 29710, typeDisp: 'Equity',
				longname: 'Apple Inc.', exchDisp: 'NASDAQ',
				sector: 'Technology', isYahooFinance: true },
			{ exchange: 'NYQ', shortname: 'Apple Hospitality REIT',
				quoteType: 'EQUITY', symbol: 'APLE', index: 'quotes',
				score: 20000, typeDisp: 'Equity', exchDisp: 'NYSE',
				isYahooFinance: true }] : [];
		return json(req, res, 200, { explains: [], count: quotes.length,
			quotes, news: [], nav: [], lists: [],
			researchReports: [], totalTime: 12 });
	}
	if (p === '/rss')
		return send(req, res, 200, 'application/rss+xml', rss(q.get('s')));
	if (p === '/q/d/l/')
		return stooq(req, res, q);
	send(req, res, 404, 'text/plain', 'no route ' + p);
});
server.listen(0, '127.0.0.1', () => {
	process.stdout.write(server.address().port + '\n');
});
