#!/usr/bin/env node
// tests/servers/agentcore-proxy.js: stands in for the AgentCore service
// between an InvokeAgentRuntime client and a 'stockagent serve' container,
// on 127.0.0.1. Node's standard library only.
//
//   node agentcore-proxy.js TARGET_PORT [--log FILE]
//
// Prints "PORT" on stdout once listening. POST /runtimes/{ARN}/invocations
// ?qualifier=Q becomes POST /invocations on 127.0.0.1:TARGET_PORT with the
// body, Content-Type, Accept, the runtime session id and the custom
// headers, as the service forwards them; the status, Content-Type, session
// header and body bytes come back as they are, streamed. --log appends one
// JSON line per request: {path, runtime, qualifier, session, headers}.
'use strict';
const http = require('http');
const fs = require('fs');

const target = Number(process.argv[2]);
const li = process.argv.indexOf('--log');
const logFile = li > 0 ? process.argv[li + 1] : null;
const SESSION = 'x-amzn-bedrock-agentcore-runtime-session-id';
const FORWARD = ['content-type', 'accept', SESSION,
  'x-amzn-bedrock-agentcore-runtime-request-id'];

function forwarded(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (FORWARD.includes(k) ||
        k.startsWith('x-amzn-bedrock-agentcore-runtime-custom-'))
      out[k] = v;
  }
  return out;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const m = /^\/runtimes\/([^/]+)\/invocations$/.exec(url.pathname);
  if (req.method !== 'POST' || !m) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ message: 'UnknownOperationException' }));
  }
  if (logFile)
    fs.appendFileSync(logFile, JSON.stringify({ path: req.url,
      runtime: decodeURIComponent(m[1]),
      qualifier: url.searchParams.get('qualifier'),
      session: req.headers[SESSION] || null,
      signed: /^AWS4-HMAC-SHA256 /.test(req.headers.authorization || ''),
      headers: forwarded(req.headers) }) + '\n');
  const up = http.request({ host: '127.0.0.1', port: target, method: 'POST',
    path: '/invocations', headers: forwarded(req.headers) }, (ur) => {
    const h = { 'Content-Type': ur.headers['content-type'] || 'application/json' };
    if (ur.headers[SESSION]) h[SESSION] = ur.headers[SESSION];
    res.writeHead(ur.statusCode, h);
    ur.pipe(res);
  });
  up.on('error', (e) => {
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: String(e) }));
  });
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\n');
});
process.on('SIGTERM', () => process.exit(0));
