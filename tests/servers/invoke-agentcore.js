#!/usr/bin/env node
// tests/servers/invoke-agentcore.js: one InvokeAgentRuntime call with the
// official client (@aws-sdk/client-bedrock-agentcore) to ENDPOINT.
//
//   node invoke-agentcore.js ENDPOINT SESSION_ID PAYLOAD [ACCEPT]
//
// Prints {"statusCode", "contentType", "session", "body"} as JSON; exits
// 77 when the package is not installed.
'use strict';
let sdk;
try {
  sdk = require('@aws-sdk/client-bedrock-agentcore');
} catch (e) {
  process.stderr.write('@aws-sdk/client-bedrock-agentcore is missing\n');
  process.exit(77);
}
const [endpoint, session, payload, accept] = process.argv.slice(2);

async function main() {
  const client = new sdk.BedrockAgentCoreClient({ region: 'us-east-1',
    endpoint, maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
  const out = await client.send(new sdk.InvokeAgentRuntimeCommand({
    agentRuntimeArn:
      'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/stockagent-AbCdEf1234',
    qualifier: 'DEFAULT', runtimeSessionId: session,
    contentType: 'application/json', accept: accept || 'application/json',
    payload: Buffer.from(payload) }));
  const body = await out.response.transformToString();
  process.stdout.write(JSON.stringify({ statusCode: out.statusCode,
    contentType: out.contentType, session: out.runtimeSessionId, body }) + '\n');
}
main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
