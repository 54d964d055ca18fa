// TypeScript SDK v2 (@modelcontextprotocol/client 2.4.0) driver for an OAuth-protected Warden server over
// Streamable HTTP, 2026-07-28 wire (pinned exactly as client-v2-http.mjs does).
//
// usage: conformance/node conformance/clients/client-v2-auth.mjs http://127.0.0.1:PORT/mcp [TOKEN]
//
// With TOKEN (a pre-obtained access token): the token reaches the transport through the SDK's minimal
// `AuthProvider` (`{ token: async () => TOKEN }`, see `StreamableHTTPClientTransportOptions.authProvider`);
// the transport sends `Authorization: Bearer TOKEN` on every request. Steps: connect (`server/discover`
// probe), list tools (get_ticket must be listed), call get_ticket {ticket_id:"T-100"} and print its title.
//
// Without TOKEN: the unauthenticated client must be refused, then the SDK's own discovery finds the
// protected resource metadata (RFC 9728). Steps:
//   1. connect with no authProvider: the probe is answered 401 and connect() rejects with
//      SdkHttpError code CLIENT_HTTP_AUTHENTICATION, status 401.
//   2. connect with an AuthProvider that has no token: the transport hands the 401 response to
//      onUnauthorized(); the challenge is parsed with extractWWWAuthenticateParams() (must be Bearer
//      with resource_metadata); onUnauthorized throws UnauthorizedError, which connect() rejects with.
//   3. discoverOAuthProtectedResourceMetadata(url, {resourceMetadataUrl}) fetches the document the
//      challenge names.
//   4. discoverOAuthProtectedResourceMetadata(url) without the hint, i.e. the SDK's well-known fallback
//      (/.well-known/oauth-protected-resource/<path>), must find the same document.
//   The document's `resource` must equal URL (and pass the SDK's checkResourceAllowed) and it must name
//   at least one authorization server; `resource` and `authorization_servers` are printed.
//
// Every step prints one line; the run ends with OK (exit 0) or "FAILED at <step>: ..." (exit 1).
import {
  Client,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  checkResourceAllowed,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  resourceUrlFromServerUrl,
} from '@modelcontextprotocol/client';

const PROTOCOL = '2026-07-28';
const url = process.argv[2];
const token = process.argv[3];
if (!url || process.argv.length > 4) {
  console.error('usage: client-v2-auth.mjs <server URL, e.g. http://127.0.0.1:8080/mcp> [access token]');
  process.exit(2);
}

let step = 'setup';
const log = (msg) => console.log(`[v2-auth] ${msg}`);
function check(cond, msg) {
  if (!cond) throw new Error(`${step}: ${msg}`);
}
const texts = (content) => (content ?? []).filter((c) => c.type === 'text').map((c) => c.text);

function newClient() {
  const client = new Client(
    { name: 'warden-conformance-v2-auth', version: '1.0.0' },
    { capabilities: {}, versionNegotiation: { mode: { pin: PROTOCOL } } },
  );
  client.onerror = (e) => console.error(`[v2-auth] client error: ${e?.message ?? e}`);
  return client;
}

const describe = (e) =>
  `${e?.constructor?.name ?? typeof e}${e?.code ? ` code=${e.code}` : ''}${e?.data?.status ? ` status=${e.data.status}` : ''}: ${e?.message ?? e}`;

async function withToken(client) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    authProvider: { token: async () => token },
  });

  step = 'connect';
  await client.connect(transport, { timeout: 30000 });
  const era = client.getProtocolEra();
  const version = client.getNegotiatedProtocolVersion();
  check(era === 'modern', `expected modern era, got ${era}`);
  check(version === PROTOCOL, `expected protocol ${PROTOCOL}, got ${version}`);
  log(`connect: authorized with bearer token, era=${era}, protocol=${version}, server=${JSON.stringify(client.getServerVersion() ?? null)}`);

  step = 'tools/list';
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  check(names.includes('get_ticket'), `tool get_ticket not listed (got ${names.length} tools: ${names.join(', ')})`);
  log(`tools/list: ${tools.length} tools (${names.join(', ')})`);

  step = 'tools/call get_ticket';
  const res = await client.callTool({ name: 'get_ticket', arguments: { ticket_id: 'T-100' } });
  check(!res.isError, `isError result: ${JSON.stringify(res.content)}`);
  let ticket = res.structuredContent;
  if (ticket === undefined) {
    const t = texts(res.content)[0];
    check(t !== undefined, `neither structuredContent nor text content: ${JSON.stringify(res)}`);
    ticket = JSON.parse(t);
  }
  check(ticket?.id === 'T-100', `expected ticket T-100, got ${JSON.stringify(ticket)}`);
  check(typeof ticket.title === 'string' && ticket.title.length > 0, `ticket has no title: ${JSON.stringify(ticket)}`);
  log(`tools/call get_ticket: id=${ticket.id} title="${ticket.title}"`);

  step = 'close';
  await client.close();
}

async function withoutToken() {
  // 1. no auth at all: what a plain client gets.
  step = 'connect without authProvider';
  const plain = newClient();
  try {
    await plain.connect(new StreamableHTTPClientTransport(new URL(url)), { timeout: 30000 });
    const { tools } = await plain.listTools();
    throw new Error(`${step}: expected HTTP 401, but the server served ${tools.length} tools without a token`);
  } catch (e) {
    if (e?.message?.startsWith(`${step}:`)) throw e;
    check(e instanceof SdkHttpError, `expected SdkHttpError, got ${describe(e)}`);
    check(e.code === SdkErrorCode.ClientHttpAuthentication, `expected code ${SdkErrorCode.ClientHttpAuthentication}, got ${describe(e)}`);
    check(e.status === 401, `expected status 401, got ${describe(e)}`);
    log(`connect without authProvider: rejected, SdkHttpError code=${e.code} status=${e.status} "${e.message}"`);
  } finally {
    await plain.close().catch(() => {});
  }

  // 2. an auth provider with no token: the transport gives it the 401 response.
  step = 'connect with tokenless AuthProvider';
  let challenged;
  const client = newClient();
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    authProvider: {
      token: async () => undefined,
      onUnauthorized: async (ctx) => {
        challenged = {
          status: ctx.response.status,
          header: ctx.response.headers.get('www-authenticate'),
          params: extractWWWAuthenticateParams(ctx.response),
        };
        throw new UnauthorizedError('no access token available (pre-obtained token not given)');
      },
    },
  });
  try {
    await client.connect(transport, { timeout: 30000 });
    const { tools } = await client.listTools();
    throw new Error(`${step}: expected HTTP 401, but the server served ${tools.length} tools without a token`);
  } catch (e) {
    if (e?.message?.startsWith(`${step}:`)) throw e;
    check(e instanceof UnauthorizedError, `expected UnauthorizedError, got ${describe(e)}`);
    check(challenged !== undefined, 'onUnauthorized was never called');
    check(challenged.status === 401, `expected HTTP 401, got ${challenged.status}`);
    log(`connect with tokenless AuthProvider: HTTP ${challenged.status}, UnauthorizedError "${e.message}"`);
  } finally {
    await client.close().catch(() => {});
  }

  step = 'WWW-Authenticate';
  check(challenged.header, 'the 401 carries no WWW-Authenticate header');
  check(/^Bearer\s/i.test(challenged.header), `challenge is not Bearer: ${challenged.header}`);
  const rmUrl = challenged.params.resourceMetadataUrl;
  check(rmUrl instanceof URL, `extractWWWAuthenticateParams found no resource_metadata in: ${challenged.header}`);
  log(`WWW-Authenticate: ${challenged.header}`);
  log(`WWW-Authenticate: resource_metadata=${rmUrl.href} scope=${challenged.params.scope ?? '(none)'} error=${challenged.params.error ?? '(none)'}`);

  const expectResource = (prm, how) => {
    check(prm.resource === url, `metadata resource ${JSON.stringify(prm.resource)} != server URL ${JSON.stringify(url)}`);
    check(
      checkResourceAllowed({ requestedResource: resourceUrlFromServerUrl(url), configuredResource: prm.resource }),
      `checkResourceAllowed rejects resource ${prm.resource} for ${url}`,
    );
    check(Array.isArray(prm.authorization_servers) && prm.authorization_servers.length > 0,
      `no authorization_servers in ${JSON.stringify(prm)}`);
    log(`${how}: resource=${prm.resource}`);
    log(`${how}: authorization_servers=${JSON.stringify(prm.authorization_servers)}`);
    log(`${how}: scopes_supported=${JSON.stringify(prm.scopes_supported ?? null)} bearer_methods_supported=${JSON.stringify(prm.bearer_methods_supported ?? null)}`);
  };

  step = 'metadata via resource_metadata';
  const fromChallenge = await discoverOAuthProtectedResourceMetadata(url, { protocolVersion: PROTOCOL, resourceMetadataUrl: rmUrl });
  expectResource(fromChallenge, 'metadata via resource_metadata');

  step = 'metadata via well-known fallback';
  const fromWellKnown = await discoverOAuthProtectedResourceMetadata(url, { protocolVersion: PROTOCOL });
  expectResource(fromWellKnown, 'metadata via well-known fallback');
  check(JSON.stringify(fromWellKnown) === JSON.stringify(fromChallenge),
    `the two documents differ: ${JSON.stringify(fromChallenge)} vs ${JSON.stringify(fromWellKnown)}`);
}

const main = newClient();
try {
  if (token) {
    log(`mode: with token (${token.length} chars)`);
    await withToken(main);
  } else {
    log('mode: without token');
    await withoutToken();
  }
  console.log('OK');
  process.exit(0);
} catch (e) {
  console.error(`[v2-auth] FAILED at ${step}: ${e?.stack ?? e}`);
  if (e?.data !== undefined) console.error(`[v2-auth] error data: ${JSON.stringify(e.data)}`);
  await main.close().catch(() => {});
  process.exit(1);
}
