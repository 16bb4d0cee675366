#!/usr/bin/env node
// tests/servers/serve-abuse.js: bad clients against 'stockagent serve' on
// 127.0.0.1:PORT, each bounded in count and time. Node's standard library.
//
//   node serve-abuse.js PORT trickle|sse-drop|random [N]
//
// trickle   sends a request's headers one byte a second (at most 20) and
//           reports what came back and when: {"status", "seconds"}
// sse-drop  starts a streamed invocation and hangs up after its first
//           event: {"first_event": bool}
// random    N (default 1000) random bodies, 8 at a time, with random
//           content types: {"n", "statuses": {CODE: count}, "bad": [...]}
//           where bad lists replies that are not JSON (or events of JSON
//           when streamed) or have a status
//           outside 200, 400, 413, 415, 503.
// Prints one JSON line.
'use strict';
const http = require('http');
const net = require('net');

const port = Number(process.argv[2]);
const what = process.argv[3];
const n = Number(process.argv[4] || 1000);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

function trickle() {
  const t0 = Date.now();
  const s = net.connect(port, '127.0.0.1');
  const head = 'POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Type: application/json\r\nX-Slow: ';
  let got = '', i = 0, timer;
  s.on('connect', () => {
    s.write(head);
    timer = setInterval(() => {
      if (i++ >= 20) { clearInterval(timer); s.destroy(); return; }
      s.write('a');
    }, 1000);
  });
  s.on('data', (d) => { got += d; });
  const done = () => {
    clearInterval(timer);
    const m = /^HTTP\/1\.1 (\d+)/.exec(got);
    out({ status: m ? Number(m[1]) : null,
      seconds: (Date.now() - t0) / 1000, body: got.split('\r\n\r\n')[1] || '' });
  };
  s.on('close', done);
  s.on('error', () => {});
}

function sseDrop() {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST',
    path: '/invocations', headers: { 'Content-Type': 'application/json',
      Accept: 'text/event-stream' } }, (res) => {
    res.once('data', (d) => {
      out({ status: res.statusCode, first_event: /^data: /.test(String(d)) });
      req.destroy();
    });
  });
  req.on('error', () => {});
  req.end(JSON.stringify({ symbol: 'SIM_STOCK', pdf: false }));
}

// A random body: bytes, broken JSON, or JSON with random fields.
function randomBody(r) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const vals = [null, true, 1.5, -3, '', 'SIM_STOCK', 'x'.repeat(300),
    '2025-09-04', '2999-01-01', 'not a date', [], {}, 'builtin',
    'openai:http://127.0.0.1:1/v1#x', 's3://', 'json', 'ndjson', 'text'];
  const keys = ['prompt', 'symbol', 'as_of', 'model', 'pdf', 's3', 'format',
    'bogus', ''];
  switch (Math.floor(r() * 5)) {
    case 0: return Buffer.from(Array.from({ length: Math.floor(r() * 200) },
      () => Math.floor(r() * 256)));
    case 1: return Buffer.from(JSON.stringify({ prompt: 'Analyze SIM' })
      .slice(0, Math.floor(r() * 20)));
    case 2: return Buffer.from(JSON.stringify(pick(vals)));
    default: {
      const o = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) o[pick(keys)] = pick(vals);
      if (r() < 0.3) { o.symbol = pick(['SIM_STOCK', 'SIM_BANK', '??', 'A'.repeat(30)]); o.pdf = false; }
      return Buffer.from(JSON.stringify(o));
    }
  }
}

function seeded(seed) { // mulberry32
  return () => {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function one(r, agent) {
  return new Promise((resolve) => {
    const body = randomBody(r);
    const ct = [ 'application/json', 'application/json; charset=utf-8',
      'text/plain', null ][Math.floor(r() * 4)];
    const headers = { 'Content-Length': body.length };
    if (ct) headers['Content-Type'] = ct;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST',
      path: '/invocations', headers, agent }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        let json = true;
        const sse = /^text\/event-stream/.test(res.headers['content-type']);
        try {
          for (const part of sse ? data.split('\n\n').filter(Boolean) : [data])
            JSON.parse(sse ? part.replace(/^data: /, '') : part);
        } catch (e) { json = false; }
        resolve({ status: res.statusCode, json, body: data.slice(0, 200) });
      });
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, json: false, body: String(e) }));
    req.end(body);
  });
}

async function random() {
  const r = seeded(20250904);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const statuses = {}, bad = [];
  let next = 0;
  async function lane() {
    while (next < n) {
      next++;
      const res = await one(r, agent);
      statuses[res.status] = (statuses[res.status] || 0) + 1;
      if (![200, 400, 413, 415, 503].includes(res.status) || !res.json)
        bad.push(res);
    }
  }
  await Promise.all(Array.from({ length: 8 }, lane));
  agent.destroy();
  out({ n, statuses, bad: bad.slice(0, 5) });
}

({ trickle, 'sse-drop': sseDrop, random })[what]();
