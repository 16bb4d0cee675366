#!/usr/bin/env node
// tests/servers/lambda-runtime.js: a fake AWS Lambda Runtime API (version
// 2018-06-01) on 127.0.0.1 that hands out scripted events and checks the
// runtime's answers. Node's standard library only.
//
//   node lambda-runtime.js --events FILE --log FILE [--end 500|hang]
//
// FILE is a JSON array; each item is one invocation:
//   {"event": JSON} or {"raw": "bytes, not JSON"},
//   "deadline_ms": ms from hand-out to the deadline (default 60000),
//   "trace": the X-Ray header (default made up), "id": request id,
//   "delay_ms": how long invocation/next waits before handing it out.
// Prints "PORT" on stdout once listening. Routes, as Lambda serves them:
//   GET  /2018-06-01/runtime/invocation/next         the next event, with
//        Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Trace-Id,
//        -Invoked-Function-Arn; after the last event 500 (--end 500: the
//        runtime must exit) or no answer (--end hang)
//   POST /2018-06-01/runtime/invocation/ID/response  202
//   POST /2018-06-01/runtime/invocation/ID/error     202
//   POST /2018-06-01/runtime/init/error              202
// Each request is a JSON line in the log: {"type": "next" | "response" |
// "error" | "init_error", "id", "body" (parsed when JSON), "error_type"
// (the Lambda-Runtime-Function-Error-Type header), "late" (after the
// deadline), "ms_left"} and a {"type": "violation", "what"} line for each
// breach of the protocol: an answer for an id not outstanding, a second
// answer, an error body without string errorMessage and errorType, an
// event asked for while one is unanswered, a body over 6 MB.
'use strict';
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const events = JSON.parse(fs.readFileSync(opt('--events'), 'utf8'));
const logFile = opt('--log');
const end = opt('--end', '500');
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:stockagent';
const LIMIT = 6 * 1024 * 1024;
let next = 0;
let current = null; // {id, deadline}
const answered = new Set();

function log(rec) {
  rec.t = Date.now();
  fs.appendFileSync(logFile, JSON.stringify(rec) + '\n');
}
function violation(what) { log({type: 'violation', what}); }
function reply(res, status, obj) {
  res.writeHead(status, {'Content-Type': 'application/json'});
  res.end(JSON.stringify(obj));
}

function handOut(res) {
  if (current !== null)
    violation('invocation/next while ' + current.id + ' is unanswered');
  if (next >= events.length) {
    log({type: 'next', id: null, end});
    if (end === 'hang') return; // as Lambda does while frozen
    reply(res, 500, {errorMessage: 'no more events', errorType: 'Test.End'});
    return;
  }
  const item = events[next++];
  if (item.delay_ms && !item.delayed) {
    item.delayed = true;
    next--;
    current = null;
    return setTimeout(() => handOut(res), item.delay_ms);
  }
  const id = item.id || crypto.randomUUID();
  const deadline = Date.now() + (item.deadline_ms || 60000);
  const trace = item.trace ||
      'Root=1-' + Math.floor(Date.now() / 1000).toString(16) + '-' +
      crypto.randomBytes(12).toString('hex') + ';Parent=' +
      crypto.randomBytes(8).toString('hex') + ';Sampled=1';
  current = {id, deadline};
  log({type: 'next', id, deadline, trace});
  const body = item.raw !== undefined ? item.raw : JSON.stringify(item.event);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Aws-Request-Id': id,
    'Lambda-Runtime-Deadline-Ms': String(deadline),
    'Lambda-Runtime-Trace-Id': trace,
    'Lambda-Runtime-Invoked-Function-Arn': ARN,
  });
  res.end(body);
}

function answer(req, res, kind, id, text) {
  let body = text;
  try { body = JSON.parse(text); } catch (e) { /* kept as text */ }
  const rec = {type: kind, id, body,
    error_type: req.headers['lambda-runtime-function-error-type'] || null};
  if (kind !== 'init_error') {
    if (current === null || current.id !== id || answered.has(id)) {
      violation(kind + ' for ' + id + ', which is not outstanding');
      return reply(res, 400, {errorMessage: 'Invalid request ID',
        errorType: 'InvalidRequestID'});
    }
    rec.ms_left = current.deadline - Date.now();
    rec.late = rec.ms_left < 0;
    if (rec.late) violation(kind + ' for ' + id + ' after the deadline');
    answered.add(id);
    current = null;
  }
  if (kind !== 'response' && (typeof body !== 'object' || body === null ||
      typeof body.errorMessage !== 'string' ||
      typeof body.errorType !== 'string'))
    violation(kind + ' body is not {errorMessage, errorType}: ' + text);
  log(rec);
  reply(res, 202, {status: 'OK'});
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', c => { size += c.length; if (size <= LIMIT) chunks.push(c); });
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    const base = '/2018-06-01/runtime/';
    if (!req.url.startsWith(base)) return reply(res, 404, {});
    const path = req.url.slice(base.length);
    if (size > LIMIT) {
      violation(path + ': body of ' + size + ' bytes');
      return reply(res, 413, {errorMessage: 'too large',
        errorType: 'RequestEntityTooLarge'});
    }
    let m;
    if (req.method === 'GET' && path === 'invocation/next')
      return handOut(res);
    if (req.method === 'POST' && path === 'init/error')
      return answer(req, res, 'init_error', null, text);
    if (req.method === 'POST' &&
        (m = /^invocation\/([^/]+)\/(response|error)$/.exec(path)))
      return answer(req, res, m[2], m[1], text);
    violation('unknown route ' + req.method + ' ' + req.url);
    reply(res, 404, {});
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
});
