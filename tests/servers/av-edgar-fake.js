#!/usr/bin/env node
// tests/servers/av-edgar-fake.js: Alpha Vantage and SEC EDGAR on 127.0.0.1,
// replaying the recorded answer shapes of tests/fixtures/alphavantage and
// tests/fixtures/edgar. Node's standard library only.
//
//   node av-edgar-fake.js --key KEY [--log FILE]
//
// Prints "PORT" on stdout once listening. Every request line (its query
// included, as a server sees it) and User-Agent is appended to FILE.
//
// Alpha Vantage (point alphavantage_url at URL/query): every answer is
// HTTP 200 JSON, as Alpha Vantage's are. A request without KEY as apikey
// gets the invalid-key answer. Symbols: AAPL (series, quote, overview,
// news), FREE (outputsize=full refused as premium, compact served), LIMIT
// (the daily limit, its text quoting the key as Alpha Vantage's does),
// NOTE (the per-minute Note), ZZZZ (unknown: Error Message, {}, Invalid
// inputs), HTMLX (a 502 HTML page), TRUNC (truncated JSON).
// SEC EDGAR (point edgar_url at URL, edgar_tickers_url at
// URL/files/company_tickers.json): a request whose User-Agent has no
// e-mail address gets the 403 block page; companyfacts of CIK 320193
// (AAPL) are served, any other CIK is S3's 404 NoSuchKey.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { URL } = require('url');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const key = opt('--key', 'KEY');
const logFile = opt('--log', null);
const fx = path.join(__dirname, '..', 'fixtures');
const read = (name) => fs.readFileSync(path.join(fx, name), 'utf8');

function av(q) {
  const fn = q.get('function') || '';
  const sym = q.get('symbol') || q.get('tickers') || '';
  if (q.get('apikey') !== key) return [200, read('alphavantage/error-apikey.json')];
  if (sym === 'LIMIT') {
    return [200, read('alphavantage/information-daily-limit.json')
      .replace('AVKEYSECRET123', key)];
  }
  if (sym === 'NOTE') return [200, read('alphavantage/note-frequency.json')];
  if (sym === 'HTMLX') return [502, read('alphavantage/error-page.html'), 'text/html'];
  if (sym === 'TRUNC') return [200, read('alphavantage/truncated.json')];
  const known = sym === 'AAPL' || sym === 'FREE';
  switch (fn) {
    case 'TIME_SERIES_DAILY':
      if (!known) return [200, read('alphavantage/error-invalid-call.json')];
      if (sym === 'FREE' && q.get('outputsize') === 'full') {
        return [200, read('alphavantage/information-premium-full.json')];
      }
      return [200, read(q.get('outputsize') === 'full'
        ? 'alphavantage/daily-AAPL.json' : 'alphavantage/daily-compact-AAPL.json')];
    case 'GLOBAL_QUOTE':
      return [200, read(known ? 'alphavantage/quote-AAPL.json' : 'alphavantage/quote-empty.json')];
    case 'OVERVIEW':
      return [200, read(known ? 'alphavantage/overview-AAPL.json' : 'alphavantage/overview-empty.json')];
    case 'NEWS_SENTIMENT':
      return [200, read(known ? 'alphavantage/news-AAPL.json'
        : 'alphavantage/information-invalid-inputs.json')];
    default:
      return [200, read('alphavantage/error-invalid-call.json')];
  }
}

function edgar(u, ua) {
  if (!/@/.test(ua || '')) return [403, read('edgar/undeclared.html'), 'text/html'];
  if (u.pathname === '/files/company_tickers.json') return [200, read('edgar/company_tickers.json')];
  if (u.pathname === '/api/xbrl/companyfacts/CIK0000320193.json') {
    return [200, read('edgar/companyfacts-CIK0000320193.json')];
  }
  return [404, read('edgar/nosuchkey.xml'), 'application/xml'];
}

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://127.0.0.1');
  const ua = req.headers['user-agent'];
  if (logFile) fs.appendFileSync(logFile, `${req.method} ${req.url} UA=${ua}\n`);
  const [status, body, type] = u.pathname === '/query' ? av(u.searchParams) : edgar(u, ua);
  res.writeHead(status, { 'Content-Type': type || 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
