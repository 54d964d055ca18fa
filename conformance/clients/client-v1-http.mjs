// TypeScript SDK v1 (@modelcontextprotocol/sdk 1.32.2) driver over Streamable HTTP with a session,
// 2025-11-25 wire (initialize handshake, Mcp-Session-Id, server->client requests on the SSE stream).
//
// usage: conformance/node conformance/clients/client-v1-http.mjs http://127.0.0.1:PORT/mcp
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const PROTOCOL = '2025-11-25';
const url = process.argv[2];
if (!url) {
  console.error('usage: client-v1-http.mjs <server URL, e.g. http://127.0.0.1:8080/mcp>');
  process.exit(2);
}

let step = 'setup';
const log = (msg) => console.log(`[v1-http] ${msg}`);
function check(cond, msg) {
  if (!cond) throw new Error(`${step}: ${msg}`);
}
const texts = (content) => (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);

const client = new Client(
  { name: 'warden-conformance-v1-http', version: '1.0.0' },
  { capabilities: { sampling: {}, elicitation: {} } },
);
let elicitations = 0;
let samplings = 0;
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  elicitations++;
  log(`  elicitation/create received: ${JSON.stringify(request.params.message)}`);
  return { action: 'accept', content: { username: 'testuser', email: 'test@example.com' } };
});
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  samplings++;
  const last = request.params.messages.at(-1);
  log(`  sampling/createMessage received: ${JSON.stringify(last?.content?.text ?? last?.content)}`);
  return {
    role: 'assistant',
    content: { type: 'text', text: 'This is a test response from the client' },
    model: 'test-model',
    stopReason: 'endTurn',
  };
});
client.onerror = (e) => console.error(`[v1-http] client error: ${e?.message ?? e}`);

// Record the status of DELETE responses: terminateSession() silently accepts 405 ("termination not
// supported"), but Warden must really terminate sessions.
let lastDeleteStatus;
const recordingFetch = async (input, init) => {
  const res = await fetch(input, init);
  if ((init?.method ?? 'GET').toUpperCase() === 'DELETE') lastDeleteStatus = res.status;
  return res;
};
const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: recordingFetch });

try {
  step = 'initialize';
  await client.connect(transport);
  const sessionId = transport.sessionId;
  check(typeof sessionId === 'string' && sessionId.length > 0, 'server did not assign an Mcp-Session-Id');
  check(/^[\x21-\x7E]+$/.test(sessionId), `session id is not visible ASCII: ${JSON.stringify(sessionId)}`);
  check(transport.protocolVersion === PROTOCOL, `negotiated protocol ${transport.protocolVersion}, expected ${PROTOCOL}`);
  log(`initialize: session=${sessionId}, protocol=${transport.protocolVersion}, server=${JSON.stringify(client.getServerVersion())}`);

  step = 'tools/list';
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const n of ['test_simple_text', 'test_elicitation', 'test_sampling']) {
    check(names.includes(n), `tool ${n} not listed (got ${names.length} tools: ${names.join(', ')})`);
  }
  log(`tools/list: ${tools.length} tools`);

  step = 'tools/call test_simple_text';
  const simple = await client.callTool({ name: 'test_simple_text', arguments: {} });
  check(!simple.isError, `isError result: ${JSON.stringify(simple.content)}`);
  check(texts(simple.content).some((t) => t.length > 0), `no non-empty text content: ${JSON.stringify(simple.content)}`);
  log(`tools/call test_simple_text: "${texts(simple.content)[0]}"`);

  step = 'tools/call test_elicitation';
  const eli = await client.callTool(
    { name: 'test_elicitation', arguments: { message: 'Please provide your information' } },
    undefined,
    { timeout: 30000 },
  );
  check(elicitations >= 1, 'no elicitation/create request reached the client');
  check(!eli.isError, `isError result: ${JSON.stringify(eli.content)}`);
  const et = texts(eli.content).join(' ');
  check(et.includes('testuser'), `result text does not mention testuser: ${JSON.stringify(eli.content)}`);
  log(`tools/call test_elicitation: "${et}"`);

  step = 'tools/call test_sampling';
  const samp = await client.callTool(
    { name: 'test_sampling', arguments: { prompt: 'Test prompt for sampling' } },
    undefined,
    { timeout: 30000 },
  );
  check(samplings >= 1, 'no sampling/createMessage request reached the client');
  check(!samp.isError, `isError result: ${JSON.stringify(samp.content)}`);
  const st = texts(samp.content).join(' ');
  check(st.includes('This is a test response from the client'), `result text does not contain the sampled text: ${JSON.stringify(samp.content)}`);
  log(`tools/call test_sampling: "${st}"`);

  step = 'DELETE session (transport.terminateSession)';
  await transport.terminateSession();
  check(lastDeleteStatus !== undefined, 'no DELETE request was sent');
  check(lastDeleteStatus >= 200 && lastDeleteStatus < 300, `DELETE returned HTTP ${lastDeleteStatus} (expected 2xx)`);
  check(transport.sessionId === undefined, 'transport still holds the session id after terminateSession()');
  log(`DELETE session: HTTP ${lastDeleteStatus}`);

  step = 'verify session terminated';
  const after = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': PROTOCOL,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list', params: {} }),
  });
  const body = await after.text();
  check(after.status === 404, `request with the terminated session id returned HTTP ${after.status} (expected 404): ${body.slice(0, 200)}`);
  log('verify: request with terminated session id -> HTTP 404');

  step = 'close';
  await client.close();
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.error(`[v1-http] FAILED at ${step}: ${e?.stack ?? e}`);
  await client.close().catch(() => {});
  process.exit(1);
}
