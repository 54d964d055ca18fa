// An official TypeScript SDK client, of either era, in front of the Warden gateway that serves the official
// reference servers @modelcontextprotocol/server-everything and @modelcontextprotocol/server-filesystem as sandboxed
// stdio upstreams (warden-gateway OfficialServersTest).
//
// usage: conformance/node conformance/clients/client-gateway.mjs v1|v2 URL DIR [round-trip]
//   v1: @modelcontextprotocol/sdk 1.32.2, a 2025-11-25 session (initialize, Mcp-Session-Id)
//   v2: @modelcontextprotocol/client 2.4.0 pinned to 2026-07-28 (server/discover, no session)
//   DIR: the directory server-filesystem serves; it holds notes.txt, and outside.txt sits beside it (not granted)
//   round-trip: also the sampling and elicitation round trips of server-everything
// Prints one line per step (the values the test asserts) and OK; exits 1 naming the failing step.
const [sdk, url, dir, extra] = process.argv.slice(2);
if (!['v1', 'v2'].includes(sdk) || !url || !dir) {
  console.error('usage: client-gateway.mjs v1|v2 <gateway URL> <served directory> [round-trip]');
  process.exit(2);
}
const roundTrip = extra === 'round-trip';
let step = 'setup';
const log = (msg) => console.log(`[${sdk}-gateway] ${msg}`);
function check(cond, msg) {
  if (!cond) throw new Error(`${step}: ${msg}`);
}
const texts = (content) => (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);

const answered = { sampling: 0, elicitation: 0 };
const sample = (request) => {
  answered.sampling++;
  log(`  sampling/createMessage received: ${JSON.stringify(request.params.messages.at(-1)?.content?.text)}`);
  return { role: 'assistant', content: { type: 'text', text: 'Hi from the client' }, model: 'test-model',
    stopReason: 'endTurn' };
};
const elicit = (request) => {
  answered.elicitation++;
  log(`  elicitation/create received: ${JSON.stringify(request.params.message)}`);
  return { action: 'accept', content: { name: 'Alice', check: true } };
};

let client;
let transport;
// callTool with the options object in the place each SDK takes it.
let callTool;
if (sdk === 'v1') {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const { CreateMessageRequestSchema, ElicitRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
  client = new Client({ name: 'warden-gateway-v1', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async (r) => sample(r));
  client.setRequestHandler(ElicitRequestSchema, async (r) => elicit(r));
  transport = new StreamableHTTPClientTransport(new URL(url));
  callTool = (params, options) => client.callTool(params, undefined, options);
} else {
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  client = new Client({ name: 'warden-gateway-v2', version: '1.0.0' }, {
    capabilities: { sampling: {}, elicitation: {} },
    versionNegotiation: { mode: { pin: '2026-07-28' } },
    inputRequired: { autoFulfill: true, maxRounds: 5 },
  });
  client.setRequestHandler('sampling/createMessage', async (r) => sample(r));
  client.setRequestHandler('elicitation/create', async (r) => elicit(r));
  transport = new StreamableHTTPClientTransport(new URL(url));
  callTool = (params, options) => client.callTool(params, options);
}
client.onerror = (e) => console.error(`[${sdk}-gateway] client error: ${e?.message ?? e}`);

try {
  step = 'connect';
  await client.connect(transport, { timeout: 30000 });
  const protocol = sdk === 'v1' ? transport.protocolVersion : client.getNegotiatedProtocolVersion();
  log(`connect: protocol=${protocol}, session=${transport.sessionId === undefined ? 'none' : 'yes'}`);

  step = 'tools/list';
  const { tools } = await client.listTools();
  log(`tools/list: ${tools.map((t) => t.name).sort().join(',')}`);

  step = 'tools/call echo';
  const echo = await callTool({ name: 'echo', arguments: { message: 'through the gateway' } });
  check(!echo.isError, `isError result: ${JSON.stringify(echo.content)}`);
  log(`tools/call echo: ${JSON.stringify(texts(echo.content).join(''))}`);

  step = 'tools/call get-env';
  const env = await callTool({ name: 'get-env', arguments: {} });
  log(`tools/call get-env: ${Object.keys(JSON.parse(texts(env.content).join(''))).sort().join(',')}`);

  step = 'tools/call gzip-file-as-resource (network)';
  // The gateway's own URL: reachable on the host's loopback, not from the sandbox's network namespace.
  const gz = await callTool({ name: 'gzip-file-as-resource', arguments: { name: 'x.gz', data: url } });
  log(`tools/call gzip-file-as-resource ${url}: isError=${gz.isError === true} ${JSON.stringify(texts(gz.content).join(''))}`);

  step = 'tools/call read_text_file (granted)';
  const inside = await callTool({ name: 'read_text_file', arguments: { path: `${dir}/notes.txt` } });
  check(!inside.isError, `isError result: ${JSON.stringify(inside.content)}`);
  log(`tools/call read_text_file notes.txt: ${JSON.stringify(texts(inside.content).join(''))}`);

  step = 'tools/call read_text_file (outside)';
  const outsidePath = `${dir.replace(/\/[^/]+\/?$/, '')}/outside.txt`;
  const outside = await callTool({ name: 'read_text_file', arguments: { path: outsidePath } });
  log(`tools/call read_text_file outside.txt: isError=${outside.isError === true} ${JSON.stringify(texts(outside.content).join(''))}`);

  step = 'prompts/list';
  const { prompts } = await client.listPrompts();
  log(`prompts/list: ${prompts.map((p) => p.name).sort().join(',')}`);

  step = 'prompts/get simple-prompt';
  const prompt = await client.getPrompt({ name: 'simple-prompt' });
  log(`prompts/get simple-prompt: ${JSON.stringify(prompt.messages.map((m) => m.content.text))}`);

  step = 'resources/list';
  const { resources } = await client.listResources();
  log(`resources/list: ${resources.map((r) => r.uri).filter((u) => u.startsWith('demo://resource/static/')).sort().join(',')}`);

  step = 'resources/read instructions.md';
  const read = await client.readResource({ uri: 'demo://resource/static/document/instructions.md' });
  log(`resources/read instructions.md: ${JSON.stringify(read.contents[0].text.split('\n')[0])}`);

  step = 'tools/call trigger-long-running-operation (progress)';
  const progress = [];
  let done = false;
  const long = await callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } },
    { onprogress: (p) => progress.push({ ...p, beforeResult: !done }), timeout: 30000 });
  done = true;
  check(!long.isError, `isError result: ${JSON.stringify(long.content)}`);
  log(`progress: ${progress.map((p) => `${p.progress}/${p.total}${p.beforeResult ? '' : ' (after the result)'}`).join(' ')}`
    + ` then ${JSON.stringify(texts(long.content).join(''))}`);

  if (roundTrip) {
    step = 'tools/call trigger-sampling-request';
    const s = await callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'Say hi', maxTokens: 20 } },
      { timeout: 30000 });
    check(!s.isError, `isError result: ${JSON.stringify(s.content)}`);
    const sampled = JSON.parse(texts(s.content).join('').replace(/^LLM sampling result: \n/, ''));
    log(`sampling: ${answered.sampling} answered, result ${JSON.stringify(sampled.content)}`);

    step = 'tools/call trigger-elicitation-request';
    const e = await callTool({ name: 'trigger-elicitation-request', arguments: {} }, { timeout: 30000 });
    check(!e.isError, `isError result: ${JSON.stringify(e.content)}`);
    log(`elicitation: ${answered.elicitation} answered, result ${JSON.stringify(texts(e.content).slice(0, 2))}`);
  }

  step = 'close';
  await client.close();
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.error(`[${sdk}-gateway] FAILED at ${step}: ${e?.stack ?? e}`);
  await client.close().catch(() => {});
  process.exit(1);
}
