// TypeScript SDK v2 (@modelcontextprotocol/client 2.4.0) driver over Streamable HTTP, 2026-07-28 wire.
//
// usage: conformance/node conformance/clients/client-v2-http.mjs http://127.0.0.1:PORT/mcp
//
// Protocol selection: `versionNegotiation: { mode: { pin: '2026-07-28' } }` makes connect() send a
// `server/discover` probe (no initialize, no session) and require the server to offer 2026-07-28;
// anything else fails loudly (no legacy fallback). Afterwards every request carries the `_meta`
// envelope (protocolVersion / clientInfo / clientCapabilities) and the MCP-Protocol-Version,
// Mcp-Method and Mcp-Name headers.
// MRTR: with the default `inputRequired.autoFulfill: true` the client answers an `input_required`
// result by dispatching each embedded request to the handler registered with setRequestHandler
// (here `elicitation/create`) and retries the call with `inputResponses` (+ echoed `requestState`)
// inside the same callTool() promise.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const PROTOCOL = '2026-07-28';
const url = process.argv[2];
if (!url) {
  console.error('usage: client-v2-http.mjs <server URL, e.g. http://127.0.0.1:8080/mcp>');
  process.exit(2);
}

let step = 'setup';
const log = (msg) => console.log(`[v2-http] ${msg}`);
function check(cond, msg) {
  if (!cond) throw new Error(`${step}: ${msg}`);
}
const texts = (content) => (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);

const client = new Client(
  { name: 'warden-conformance-v2-http', version: '1.0.0' },
  {
    capabilities: { elicitation: {} },
    versionNegotiation: { mode: { pin: PROTOCOL } },
    inputRequired: { autoFulfill: true, maxRounds: 5 },
  },
);
let elicitations = 0;
client.setRequestHandler('elicitation/create', async (request) => {
  elicitations++;
  log(`  elicitation/create received: ${JSON.stringify(request.params?.message ?? '')}`);
  return { action: 'accept', content: { name: 'Alice' } };
});
client.onerror = (e) => console.error(`[v2-http] client error: ${e?.message ?? e}`);

const transport = new StreamableHTTPClientTransport(new URL(url));

try {
  step = 'connect';
  await client.connect(transport, { timeout: 30000 });
  const era = client.getProtocolEra();
  const version = client.getNegotiatedProtocolVersion();
  check(era === 'modern', `expected modern era, got ${era}`);
  check(version === PROTOCOL, `expected protocol ${PROTOCOL}, got ${version}`);
  check(transport.sessionId === undefined, `2026-07-28 wire must not assign a session id, got ${transport.sessionId}`);
  const discover = client.getDiscoverResult();
  log(`connect: discover ok, era=${era}, protocol=${version}, supportedVersions=${JSON.stringify(discover?.supportedVersions)}, server=${JSON.stringify(client.getServerVersion() ?? null)}`);

  step = 'tools/list';
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const n of ['test_simple_text', 'test_tool_with_progress', 'test_input_required_result_elicitation']) {
    check(names.includes(n), `tool ${n} not listed (got ${names.length} tools: ${names.join(', ')})`);
  }
  log(`tools/list: ${tools.length} tools`);

  step = 'tools/call test_simple_text';
  const simple = await client.callTool({ name: 'test_simple_text', arguments: {} });
  check(!simple.isError, `isError result: ${JSON.stringify(simple.content)}`);
  check(texts(simple.content).some((t) => t.length > 0), `no non-empty text content: ${JSON.stringify(simple.content)}`);
  log(`tools/call test_simple_text: "${texts(simple.content)[0]}"`);

  step = 'tools/call test_tool_with_progress';
  const progress = [];
  const prog = await client.callTool(
    { name: 'test_tool_with_progress', arguments: {} },
    { onprogress: (p) => progress.push(p), timeout: 30000 },
  );
  check(!prog.isError, `isError result: ${JSON.stringify(prog.content)}`);
  check(progress.length >= 3, `expected >= 3 progress notifications, got ${progress.length}: ${JSON.stringify(progress)}`);
  for (let i = 1; i < progress.length; i++) {
    check(progress[i].progress >= progress[i - 1].progress, `progress decreased: ${JSON.stringify(progress)}`);
  }
  log(`tools/call test_tool_with_progress: ${progress.length} progress notifications ${JSON.stringify(progress.map((p) => p.progress))}`);

  step = 'resources/read test://static-text';
  const res = await client.readResource({ uri: 'test://static-text' });
  const c0 = res.contents?.[0];
  check(c0 && c0.uri === 'test://static-text', `unexpected contents: ${JSON.stringify(res.contents)}`);
  check(typeof c0.text === 'string' && c0.text.length > 0, `no text in contents[0]: ${JSON.stringify(c0)}`);
  log(`resources/read test://static-text: mimeType=${c0.mimeType} "${c0.text}"`);

  step = 'prompts/get test_prompt_with_arguments';
  const prompt = await client.getPrompt({
    name: 'test_prompt_with_arguments',
    arguments: { arg1: 'first-value', arg2: 'second-value' },
  });
  const pj = JSON.stringify(prompt.messages);
  check(prompt.messages?.length > 0, 'no messages');
  check(pj.includes('first-value') && pj.includes('second-value'), `argument values missing from messages: ${pj}`);
  log(`prompts/get test_prompt_with_arguments: ${prompt.messages.length} message(s)`);

  step = 'tools/call test_input_required_result_elicitation (MRTR)';
  const mrtr = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }, { timeout: 30000 });
  check(elicitations >= 1, 'elicitation handler was never invoked (server did not return input_required?)');
  check(!mrtr.isError, `isError result: ${JSON.stringify(mrtr.content)}`);
  const mt = texts(mrtr.content).join(' ');
  check(mt.includes('Alice'), `final text does not contain "Alice": ${JSON.stringify(mrtr.content)}`);
  log(`MRTR round trip: ${elicitations} elicitation(s) answered, final text "${mt}"`);

  step = 'close';
  await client.close();
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.error(`[v2-http] FAILED at ${step}: ${e?.stack ?? e}`);
  if (e?.data !== undefined) console.error(`[v2-http] error data: ${JSON.stringify(e.data)}`);
  await client.close().catch(() => {});
  process.exit(1);
}
