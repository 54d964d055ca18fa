// TypeScript SDK v2 (@modelcontextprotocol/client 2.4.0) driver for the full OAuth flow against a Warden MCP server
// protected by Warden's authorization server, 2026-07-28 wire.
//
// usage: conformance/node conformance/clients/client-v2-oauth.mjs <MCP URL> cimd <client metadata document URL>
//        conformance/node conformance/clients/client-v2-oauth.mjs <MCP URL> dcr
//
// The SDK does everything a real MCP client does: 401 -> protected resource metadata -> authorization server
// metadata -> client identity (a Client ID Metadata Document URL, or dynamic registration) -> authorization
// request with PKCE S256 and resource -> (user agent) -> code exchange with the verifier -> bearer token.
// The user agent is not here: the authorization URL is printed as "[v2-oauth] AUTHORIZE <url>" and whoever runs
// this script (a Java test) signs in, approves, and delivers the redirect to the loopback callback server this
// script listens on (http://127.0.0.1:<port>/callback). The callback's `state` is checked here; `iss` is checked by
// the SDK (RFC 9207) in finishAuth.
//
// Then: connect again with the token, list tools, call `whoami` and print its text. Every step prints one line;
// the run ends with OK (exit 0) or "FAILED at <step>: ..." (exit 1).
import http from 'node:http';
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';

const PROTOCOL = '2026-07-28';
const [url, mode, cimdUrl] = process.argv.slice(2);
if (!url || !['cimd', 'dcr'].includes(mode) || (mode === 'cimd' && !cimdUrl)) {
  console.error('usage: client-v2-oauth.mjs <MCP URL> (cimd <metadata document URL> | dcr)');
  process.exit(2);
}

let step = 'setup';
const log = (msg) => console.log(`[v2-oauth] ${msg}`);
const texts = (content) => (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);

// --- the loopback callback server (RFC 8252 §7.3)
let deliver;
const callbackReceived = new Promise((resolve) => { deliver = resolve; });
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://127.0.0.1');
  if (u.pathname !== '/callback') { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': 'text/plain' }).end('OK. You can close this page.');
  deliver(u.searchParams);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const redirectUrl = `http://127.0.0.1:${server.address().port}/callback`;

// --- an in-memory OAuthClientProvider
const saved = { client: undefined, tokens: undefined, verifier: undefined, state: undefined, issuer: undefined, discovery: undefined };
const provider = {
  get redirectUrl() { return redirectUrl; },
  clientMetadataUrl: mode === 'cimd' ? cimdUrl : undefined,
  get clientMetadata() {
    return {
      client_name: 'Warden test client (TS SDK v2)',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    };
  },
  state() { saved.state = crypto.randomUUID(); return saved.state; },
  clientInformation() { return saved.client; },
  saveClientInformation(info, ctx) { saved.client = info; saved.issuer = ctx?.issuer; log(`client registered: client_id=${info.client_id}`); },
  tokens() { return saved.tokens; },
  saveTokens(tokens) { saved.tokens = tokens; },
  redirectToAuthorization(authorizationUrl) { log(`AUTHORIZE ${authorizationUrl.href}`); },
  saveCodeVerifier(v) { saved.verifier = v; },
  codeVerifier() { return saved.verifier; },
  // SEP-2352: the SDK binds the callback leg to the authorization server it discovered
  saveDiscoveryState(state) { saved.discovery = state; },
  discoveryState() { return saved.discovery; },
};

function newClient() {
  const client = new Client(
    { name: 'warden-conformance-v2-oauth', version: '1.0.0' },
    { capabilities: {}, versionNegotiation: { mode: { pin: PROTOCOL } } },
  );
  client.onerror = (e) => console.error(`[v2-oauth] client error: ${e?.message ?? e}`);
  return client;
}

try {
  step = 'connect without token';
  const first = newClient();
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  try {
    await first.connect(transport, { timeout: 30000 });
    throw new Error(`${step}: expected the server to require authorization`);
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
    log(`connect without token: UnauthorizedError, authorization started (${mode})`);
  }
  if (mode === 'cimd') {
    if (saved.client !== undefined && saved.client.client_id !== cimdUrl) throw new Error(`unexpected registration ${JSON.stringify(saved.client)}`);
    log(`client id: ${cimdUrl}`);
  }

  step = 'authorization callback';
  const params = await Promise.race([
    callbackReceived,
    new Promise((_, reject) => setTimeout(() => reject(new Error('no callback within 60 s')), 60000)),
  ]);
  if (params.get('error')) throw new Error(`authorization error: ${params.get('error')} ${params.get('error_description') ?? ''}`);
  if (params.get('state') !== saved.state) throw new Error(`state mismatch: ${params.get('state')} != ${saved.state}`);
  log(`callback: code received, state matches, iss=${params.get('iss')}`);

  step = 'finishAuth';
  await transport.finishAuth(params);
  log(`token: type=${saved.tokens.token_type} expires_in=${saved.tokens.expires_in} scope=${saved.tokens.scope ?? '(none)'} refresh_token=${saved.tokens.refresh_token ? 'yes' : 'no'}`);
  await first.close().catch(() => {});

  step = 'connect with token';
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }), { timeout: 30000 });
  log(`connect with token: era=${client.getProtocolEra()} protocol=${client.getNegotiatedProtocolVersion()}`);

  step = 'tools/list';
  const { tools } = await client.listTools();
  log(`tools/list: ${tools.map((t) => t.name).join(', ')}`);

  // TOOL and TOOL_ARGS (JSON) choose the protected call; the default is the test fixture's whoami.
  const tool = process.env.TOOL ?? 'whoami';
  step = `tools/call ${tool}`;
  const res = await client.callTool({ name: tool, arguments: JSON.parse(process.env.TOOL_ARGS ?? '{}') });
  if (res.isError) throw new Error(`isError: ${JSON.stringify(res.content)}`);
  log(`tools/call ${tool}: ${texts(res.content).join(' ')}`);
  await client.close();

  console.log('OK');
  server.close();
  process.exit(0);
} catch (e) {
  console.error(`[v2-oauth] FAILED at ${step}: ${e?.stack ?? e}`);
  server.close();
  process.exit(1);
}
