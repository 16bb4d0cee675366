#!/usr/bin/env node
// tests/servers/scripted-model.js: a scripted model on 127.0.0.1 speaking
// the real wire formats of the three remote backends, for end-to-end runs
// of the agent graph. Node's standard library only.
//
//   node scripted-model.js [--mode ok|fail|notool|badargs] [--invent]
//                          [--log FILE] [--delay MS]
//
// Prints "PORT" on stdout once listening. Routes:
//   POST /v1/chat/completions                 OpenAI JSON or SSE (stream)
//   POST /model/ID/converse[-stream]          Bedrock Converse, event stream
//   POST /model/ID/invoke[-with-response-stream]  Bedrock InvokeModel
//   POST /endpoints/NAME/invocations[-response-stream]  SageMaker
// Policy (like the built-in one, but through the wire): on a fresh task
// call the offered tool with the task's Context keys that the tool's
// schema names; after a tool result, answer with a narrative quoting
// numbers from that result (--invent adds one that is in no result).
// --mode fail answers 500 to everything, notool never calls the tool,
// badargs calls it with arguments that fail the schema.
'use strict';
const http = require('http');
const fs = require('fs');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const mode = opt('--mode', 'ok');
const invent = args.includes('--invent');
const logFile = opt('--log', null);
const delayMs = Number(opt('--delay', '0')); // before every answer
let callNo = 0;

// --- the policy, on OpenAI-style messages -------------------------------
function contextOf(text) {
  const at = text.lastIndexOf('Context:');
  if (at < 0) return {};
  try { return JSON.parse(text.slice(at + 8)); } catch (e) { return {}; }
}

function numbers(v, out) {
  if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => numbers(x, out));
  else if (v && typeof v === 'object')
    Object.keys(v).forEach((k) => numbers(v[k], out));
  return out;
}

// msgs: [{role, content, tool_result?}], tools: [{name, parameters}]
function decide(msgs, tools) {
  const last = msgs[msgs.length - 1];
  if (last.role === 'tool' && mode === 'badargs' && /"error"/.test(last.content))
    last.role = 'retry';
  if (last.role === 'tool') {
    let result = {};
    try { result = JSON.parse(last.content); } catch (e) { /* text */ }
    const ns = numbers(result, []).filter((n) => Math.abs(n) > 10).slice(0, 3);
    let text = 'Thesis: the tool reports ' + ns.join(', ') +
      '. Risks: the figures can change. What would change the view: ' +
      'new data.';
    if (invent) text += ' A price target of 4242.42 is likely.';
    return { reasoning: 'The result is in; write the narrative.', text };
  }
  const user = msgs.filter((m) => m.role === 'user').pop();
  const tool = tools[0];
  if (mode === 'notool' || !tool)
    return { reasoning: 'No tool needed.', text: 'I will not use tools.' };
  if (tool.name === 'choose_symbol') {
    // 'stockagent ask': the covered symbol the request mentions last
    // ("not X, I mean Y"), where the rules take the first.
    const text = (user ? user.content : '').toUpperCase();
    const en = (tool.parameters.properties.symbol || {}).enum || [];
    let hit, at = -1;
    en.forEach((sym) => {
      const i = text.lastIndexOf(sym);
      if (i > at && !/[A-Z0-9_]/.test(text[i + sym.length] || '')) {
        at = i;
        hit = sym;
      }
    });
    callNo++;
    return { reasoning: 'The request names ' + hit + '.', call: {
      id: 'call_' + callNo, name: tool.name, args: { symbol: hit ||
        (mode === 'badargs' ? 'NOPE' : 'SIM_STOCK') } } };
  }
  const ctx = contextOf(user ? user.content : '');
  const props = (tool.parameters && tool.parameters.properties) || {};
  const a = {};
  Object.keys(props).forEach((k) => {
    if (ctx[k] !== undefined && ctx[k] !== null) a[k] = ctx[k];
    else if (k === 'text') a[k] = 'ok'; // stockagent models check's echo
  });
  if (mode === 'badargs') a.symbol = 12345;
  callNo++;
  return { reasoning: 'I should call ' + tool.name + '.',
    call: { id: 'call_' + callNo, name: tool.name, args: a } };
}

// --- OpenAI chat completions ---------------------------------------------
function oaiTools(body) {
  return (body.tools || []).map((t) => ({ name: t.function.name,
    parameters: t.function.parameters }));
}

function oaiMessage(d) {
  const m = { role: 'assistant', content: d.text || null,
    reasoning_content: d.reasoning };
  if (d.call)
    m.tool_calls = [{ id: d.call.id, type: 'function', function: {
      name: d.call.name, arguments: JSON.stringify(d.call.args) } }];
  return m;
}

const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };

function oaiJson(d, tagged) {
  const m = oaiMessage(d);
  if (tagged) {
    m.content = '<reasoning>' + d.reasoning + '</reasoning>' + (d.text || '');
    delete m.reasoning_content;
  }
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1,
    choices: [{ index: 0, message: m,
      finish_reason: d.call ? 'tool_calls' : 'stop' }], usage };
}

function oaiChunks(d) {
  const ch = (delta, fin) => ({ object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: fin || null }] });
  const out = [ch({ role: 'assistant', reasoning_content: d.reasoning })];
  if (d.call) {
    const s = JSON.stringify(d.call.args);
    const half = Math.floor(s.length / 2);
    out.push(ch({ tool_calls: [{ index: 0, id: d.call.id, type: 'function',
      function: { name: d.call.name, arguments: s.slice(0, half) } }] }));
    out.push(ch({ tool_calls: [{ index: 0,
      function: { arguments: s.slice(half) } }] }, 'tool_calls'));
  } else {
    const words = d.text.split(/(?<= )/);
    words.forEach((w, i) => out.push(ch({ content: w },
      i === words.length - 1 ? 'stop' : null)));
  }
  out.push({ object: 'chat.completion.chunk', choices: [], usage });
  return out;
}

function sse(chunks) {
  return chunks.map((c) => 'data: ' + JSON.stringify(c) + '\n\n').join('') +
    'data: [DONE]\n\n';
}

// --- event-stream frames ---------------------------------------------------
const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function frame(headers, payload) {
  const hs = [];
  for (const [k, v] of Object.entries(headers)) {
    const kb = Buffer.from(k), vb = Buffer.from(v);
    const h = Buffer.alloc(1 + kb.length + 3 + vb.length);
    h[0] = kb.length; kb.copy(h, 1); h[1 + kb.length] = 7;
    h.writeUInt16BE(vb.length, 2 + kb.length); vb.copy(h, 4 + kb.length);
    hs.push(h);
  }
  const hb = Buffer.concat(hs), pb = Buffer.from(payload);
  const total = 16 + hb.length + pb.length;
  const f = Buffer.alloc(total);
  f.writeUInt32BE(total, 0); f.writeUInt32BE(hb.length, 4);
  f.writeUInt32BE(crc32(f.subarray(0, 8)), 8);
  hb.copy(f, 12); pb.copy(f, 12 + hb.length);
  f.writeUInt32BE(crc32(f.subarray(0, total - 4)), total - 4);
  return f;
}
const event = (type, obj) => frame({ ':event-type': type,
  ':content-type': 'application/json', ':message-type': 'event' },
  JSON.stringify(obj));

// --- Bedrock Converse --------------------------------------------------------
function converseMsgs(body) {
  const out = [];
  for (const m of body.messages) {
    for (const b of m.content) {
      if (b.toolResult) {
        const c = b.toolResult.content[0];
        out.push({ role: 'tool', content: c.json ? JSON.stringify(c.json) :
          c.text });
      } else if (b.text !== undefined) {
        out.push({ role: m.role, content: b.text });
      }
    }
  }
  return out;
}
function converseTools(body) {
  return ((body.toolConfig && body.toolConfig.tools) || []).map((t) => ({
    name: t.toolSpec.name, parameters: t.toolSpec.inputSchema.json }));
}
function converseJson(d) {
  const content = [{ reasoningContent: { reasoningText: { text: d.reasoning } } }];
  if (d.call) content.push({ toolUse: { toolUseId: d.call.id,
    name: d.call.name, input: d.call.args } });
  else content.push({ text: d.text });
  return { output: { message: { role: 'assistant', content } },
    stopReason: d.call ? 'tool_use' : 'end_turn',
    usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150 },
    metrics: { latencyMs: 5 } };
}
function converseStream(d) {
  const f = [event('messageStart', { role: 'assistant', p: 'abc' }),
    event('contentBlockDelta', { contentBlockIndex: 0,
      delta: { reasoningContent: { text: d.reasoning } } }),
    event('contentBlockStop', { contentBlockIndex: 0 })];
  if (d.call) {
    const s = JSON.stringify(d.call.args);
    f.push(event('contentBlockStart', { contentBlockIndex: 1, start: {
      toolUse: { toolUseId: d.call.id, name: d.call.name } } }));
    f.push(event('contentBlockDelta', { contentBlockIndex: 1,
      delta: { toolUse: { input: s.slice(0, 5) } } }));
    f.push(event('contentBlockDelta', { contentBlockIndex: 1,
      delta: { toolUse: { input: s.slice(5) } } }));
  } else {
    f.push(event('contentBlockDelta', { contentBlockIndex: 1,
      delta: { text: d.text } }));
  }
  f.push(event('contentBlockStop', { contentBlockIndex: 1 }));
  f.push(event('messageStop', { stopReason: d.call ? 'tool_use' : 'end_turn' }));
  f.push(event('metadata', { usage: { inputTokens: 120, outputTokens: 30,
    totalTokens: 150 }, metrics: { latencyMs: 5 } }));
  return Buffer.concat(f);
}

// --- the server -------------------------------------------------------------
function plainMsgs(body) {
  return body.messages.map((m) => ({ role: m.role,
    content: m.content || '' }));
}

function handle(req, body, res) {
  const url = req.url;
  const send = (status, type, data) => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(data);
  };
  if (mode === 'fail')
    return send(500, 'application/json',
      JSON.stringify({ message: 'scripted failure' }));
  let m;
  if (url.endsWith('/chat/completions')) {
    const d = decide(plainMsgs(body), oaiTools(body));
    if (body.stream) return send(200, 'text/event-stream', sse(oaiChunks(d)));
    return send(200, 'application/json', JSON.stringify(oaiJson(d, false)));
  }
  if ((m = url.match(/^\/model\/[^/]+\/(converse|converse-stream|invoke|invoke-with-response-stream)$/))) {
    if (m[1].startsWith('converse')) {
      const d = decide(converseMsgs(body), converseTools(body));
      if (m[1] === 'converse')
        return send(200, 'application/json', JSON.stringify(converseJson(d)));
      return send(200, 'application/vnd.amazon.eventstream', converseStream(d));
    }
    const d = decide(plainMsgs(body), oaiTools(body));
    if (m[1] === 'invoke')
      return send(200, 'application/json', JSON.stringify(oaiJson(d, true)));
    const frames = oaiChunks(d).map((c) => event('chunk', { bytes:
      Buffer.from(JSON.stringify(c)).toString('base64') }));
    return send(200, 'application/vnd.amazon.eventstream',
      Buffer.concat(frames));
  }
  if ((m = url.match(/^\/endpoints\/[^/]+\/(invocations|invocations-response-stream)$/))) {
    const d = decide(plainMsgs(body), oaiTools(body));
    if (m[1] === 'invocations')
      return send(200, 'application/json', JSON.stringify(oaiJson(d, false)));
    // PayloadParts cut at arbitrary points, as SageMaker does.
    const text = Buffer.from(sse(oaiChunks(d)));
    const parts = [];
    for (let i = 0; i < text.length; i += 37)
      parts.push(frame({ ':event-type': 'PayloadPart',
        ':message-type': 'event' }, text.subarray(i, i + 37)));
    return send(200, 'application/vnd.amazon.eventstream',
      Buffer.concat(parts));
  }
  return send(404, 'application/json', JSON.stringify({ message: 'no route ' + url }));
}

const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(parts).toString();
    if (logFile)
      fs.appendFileSync(logFile, JSON.stringify({ url: req.url,
        headers: req.headers, body: raw }) + '\n');
    let body;
    try { body = JSON.parse(raw); } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json',
        'x-amzn-ErrorType': 'ValidationException' });
      return res.end(JSON.stringify({ message: 'malformed JSON body' }));
    }
    setTimeout(() => handle(req, body, res), delayMs);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\n');
});
process.on('SIGTERM', () => process.exit(0));
