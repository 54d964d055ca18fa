// TypeScript SDK v2 (@modelcontextprotocol/client 2.4.0) driver over stdio, 2026-07-28 wire.
//
// usage: conformance/node conformance/clients/client-v2-stdio.mjs <server command...>
//   e.g. conformance/node conformance/clients/client-v2-stdio.mjs ./warden everything-server --stdio
//
// Note on how the v2 SDK connects over stdio with a pinned modern version: connect() first spawns a
// short-lived SIBLING process from the same command, sends it `server/discover` (stderr discarded),
// then reaps it (stdin closed + SIGTERM, SIGKILL after 1 s) and only then spawns the real session
// process, which receives plain 2026-07-28 requests (with the `_meta` envelope) and never an
// `initialize`. So the server is started twice per connect. Set CLIENT_STDIO_MODE=auto to use
// `versionNegotiation: { mode: 'auto' }` instead (falls back to initialize on a legacy server).
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const PROTOCOL = '2026-07-28';
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: client-v2-stdio.mjs <server command...>   e.g. ./warden everything-server --stdio');
  process.exit(2);
}

let step = 'setup';
const log = (msg) => console.log(`[v2-stdio] ${msg}`);
function check(cond, msg) {
  if (!cond) throw new Error(`${step}: ${msg}`);
}
const texts = (content) => (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);

const mode = process.env.CLIENT_STDIO_MODE === 'auto' ? 'auto' : { pin: PROTOCOL };
const client = new Client(
  { name: 'warden-conformance-v2-stdio', version: '1.0.0' },
  { capabilities: {}, versionNegotiation: { mode } },
);
client.onerror = (e) => console.error(`[v2-stdio] client error: ${e?.message ?? e}`);

// Pass the full environment (the SDK default keeps only HOME, PATH, SHELL, TERM, USER, LOGNAME),
// so JAVA_HOME / JAVA_TOOL_OPTIONS etc. reach a JVM-based server. Server stderr goes to ours.
const transport = new StdioClientTransport({
  command,
  args,
  env: Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)),
  stderr: 'inherit',
});

try {
  step = 'connect';
  await client.connect(transport, { timeout: 60000 });
  const era = client.getProtocolEra();
  const version = client.getNegotiatedProtocolVersion();
  if (mode !== 'auto') {
    check(era === 'modern', `expected modern era, got ${era}`);
    check(version === PROTOCOL, `expected protocol ${PROTOCOL}, got ${version}`);
  }
  log(`connect: era=${era}, protocol=${version}, server pid=${transport.pid}, server=${JSON.stringify(client.getServerVersion() ?? null)}`);

  step = 'tools/list';
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  check(names.includes('test_simple_text'), `tool test_simple_text not listed (got: ${names.join(', ')})`);
  log(`tools/list: ${tools.length} tools`);

  step = 'tools/call test_simple_text';
  const simple = await client.callTool({ name: 'test_simple_text', arguments: {} });
  check(!simple.isError, `isError result: ${JSON.stringify(simple.content)}`);
  check(texts(simple.content).some((t) => t.length > 0), `no non-empty text content: ${JSON.stringify(simple.content)}`);
  log(`tools/call test_simple_text: "${texts(simple.content)[0]}"`);

  step = 'resources/read test://static-text';
  const res = await client.readResource({ uri: 'test://static-text' });
  const c0 = res.contents?.[0];
  check(c0 && c0.uri === 'test://static-text', `unexpected contents: ${JSON.stringify(res.contents)}`);
  check(typeof c0.text === 'string' && c0.text.length > 0, `no text in contents[0]: ${JSON.stringify(c0)}`);
  log(`resources/read test://static-text: "${c0.text}"`);

  step = 'close';
  await client.close();
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.error(`[v2-stdio] FAILED at ${step}: ${e?.stack ?? e}`);
  if (e?.data !== undefined) console.error(`[v2-stdio] error data: ${JSON.stringify(e.data)}`);
  await client.close().catch(() => {});
  process.exit(1);
}
