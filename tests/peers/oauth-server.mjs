#!/usr/bin/env node
// An OAuth 2.1 authorization server and the MCP server it protects, in one process, on the SDK's
// server-side auth (mcpAuthRouter: metadata, /authorize, /token, /register, /revoke;
// requireBearerAuth on /mcp) with an in-memory provider of ours:
//   - dynamic client registration; PKCE S256 (checked by the SDK's token handler);
//   - the user approves at once (a redirect back to the client), or declines when the
//     authorization URL carries deny=1 (tests add it through the headless browser);
//   - access tokens live --access-ttl-s seconds (default 3600); refresh tokens rotate: each is
//     good for one use, a reused one is refused (invalid_grant) and counted;
//   - revocation (RFC 7009) of access and refresh tokens;
//   - the device authorization grant (RFC 8628): the user "approves" by the second poll;
//   - with --enterprise, an enterprise identity provider and the JWT bearer grant for ID-JAGs
//     (peers/enterprise-idp.mjs); --id-token-ttl-s sets the lifetime of its ID tokens.
//   - with --issuer URL, its metadata names that issuer instead of its own (a mix-up: RFC 8414
//     §3.3 says the client must not use such metadata).
//   node oauth-server.mjs --port 0 [--access-ttl-s N] [--scopes "mcp:read mcp:write"] [--enterprise] [--issuer URL]
// Prints {"listening":"http://127.0.0.1:PORT/mcp"} on stdout when ready.
// Test hooks (loopback only): GET /_test/state; POST /_test/expire (every access token expires now);
// POST /_test/revoke-refresh (every refresh token issued so far is revoked);
// POST /_test/token-redirect?to=URL (from now on /token answers 307 Location: URL; no `to`: stop).
// Tools: whoami (the client id and scopes of the caller's token), echo.
import express from "express";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { mcpAuthRouter, createOAuthMetadata, getOAuthProtectedResourceMetadataUrl } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidTokenError, InvalidGrantError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { z } from "zod";
import { mountEnterprise, JWT_BEARER } from "./enterprise-idp.mjs";

const stdoutWrite = process.stdout.write.bind(process.stdout);
console.log = (...a) => console.error(...a);
console.info = (...a) => console.error(...a);
const log = (...a) => console.error("[oauth-server]", ...a);

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "access-ttl-s": { type: "string", default: "3600" },
    scopes: { type: "string", default: "mcp:read mcp:write" },
    enterprise: { type: "boolean", default: false },
    "id-token-ttl-s": { type: "string", default: "3600" },
    issuer: { type: "string" },
  },
});
const accessTtl = Number(args["access-ttl-s"]);
const scopesSupported = args.scopes.split(" ").filter(Boolean);

const state = {
  registrations: 0,
  authorizations: 0, // approved authorization requests
  denials: 0,
  codeExchanges: 0,
  refreshes: 0,
  refreshReuse: 0, // a rotated-out refresh token presented again
  revocations: [], // {hint, kind} per revoked token
  resources: [], // the resource parameter of each authorization and token request
  lastScopes: null,
  deviceAuthorizations: 0,
  devicePolls: 0,
  unauthorized: 0,
  mcpRequests: 0,
  tokenRedirects: 0, // token requests answered with the 307 of /_test/token-redirect
};
let tokenRedirect = null;

const clients = new Map();
const codes = new Map(); // code → {client_id, challenge, redirectUri, scopes, resource}
const accessTokens = new Map(); // token → {clientId, scopes, expiresAt, resource, revoked}
const refreshTokens = new Map(); // token → {clientId, scopes, resource, used, revoked}
const deviceCodes = new Map(); // device_code → {clientId, scopes, resource, polls}
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

function issue(clientId, scopes, resource, { refresh = true } = {}) {
  const access = "at-" + randomUUID();
  accessTokens.set(access, { clientId, scopes, resource, expiresAt: Math.floor(Date.now() / 1000) + accessTtl });
  const reply = { access_token: access, token_type: "bearer", expires_in: accessTtl, scope: scopes.join(" ") };
  if (refresh) {
    reply.refresh_token = "rt-" + randomUUID();
    refreshTokens.set(reply.refresh_token, { clientId, scopes, resource, used: false });
  }
  return reply;
}

const provider = {
  clientsStore: {
    async getClient(id) {
      return clients.get(id);
    },
    async registerClient(client) {
      state.registrations++;
      const full = { ...client, client_id: client.client_id ?? "client-" + randomUUID(), client_id_issued_at: Math.floor(Date.now() / 1000) };
      clients.set(full.client_id, full);
      return full;
    },
  },
  async authorize(client, params, res) {
    const target = new URL(params.redirectUri);
    if (res.req.query.deny === "1") {
      state.denials++;
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "the user said no");
    } else {
      state.authorizations++;
      state.resources.push(params.resource?.href ?? null);
      state.lastScopes = params.scopes ?? [];
      const code = "code-" + randomUUID();
      codes.set(code, { clientId: client.client_id, challenge: params.codeChallenge, redirectUri: params.redirectUri, scopes: params.scopes ?? [], resource: params.resource?.href });
      target.searchParams.set("code", code);
    }
    if (params.state !== undefined) target.searchParams.set("state", params.state);
    res.redirect(target.toString());
  },
  async challengeForAuthorizationCode(client, code) {
    const entry = codes.get(code);
    if (!entry || entry.clientId !== client.client_id) throw new InvalidGrantError("unknown authorization code");
    return entry.challenge;
  },
  async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resource) {
    const entry = codes.get(code);
    if (!entry || entry.clientId !== client.client_id) throw new InvalidGrantError("unknown authorization code");
    if (redirectUri !== entry.redirectUri) throw new InvalidGrantError("redirect_uri differs from the authorization request");
    codes.delete(code);
    state.codeExchanges++;
    state.resources.push(resource?.href ?? null);
    return issue(client.client_id, entry.scopes, resource?.href ?? entry.resource);
  },
  async exchangeRefreshToken(client, refreshToken, scopes, resource) {
    const entry = refreshTokens.get(refreshToken);
    if (!entry || entry.clientId !== client.client_id || entry.revoked) throw new InvalidGrantError("unknown or revoked refresh token");
    if (entry.used) {
      state.refreshReuse++;
      throw new InvalidGrantError("refresh token already used (rotated)");
    }
    entry.used = true;
    state.refreshes++;
    state.resources.push(resource?.href ?? null);
    return issue(client.client_id, scopes ?? entry.scopes, resource?.href ?? entry.resource);
  },
  async verifyAccessToken(token) {
    const entry = accessTokens.get(token);
    if (!entry || entry.revoked) throw new InvalidTokenError("unknown or revoked access token");
    return { token, clientId: entry.clientId, scopes: entry.scopes, expiresAt: entry.expiresAt, resource: entry.resource ? new URL(entry.resource) : undefined };
  },
  async revokeToken(client, request) {
    const access = accessTokens.get(request.token);
    const refresh = refreshTokens.get(request.token);
    if (access && access.clientId === client.client_id) {
      access.revoked = true;
      state.revocations.push({ hint: request.token_type_hint ?? null, kind: "access" });
    }
    if (refresh && refresh.clientId === client.client_id) {
      refresh.revoked = true;
      state.revocations.push({ hint: request.token_type_hint ?? null, kind: "refresh" });
    }
  },
};

function makeMcpServer() {
  const server = new McpServer({ name: "oauth-peer", version: "1.0.0" });
  server.registerTool("whoami", { description: "The caller's client id and scopes" }, async (extra) => ({
    content: [{ type: "text", text: JSON.stringify({ client: extra.authInfo?.clientId, scopes: extra.authInfo?.scopes }) }],
  }));
  server.registerTool("echo", { description: "Echo", inputSchema: { message: z.string() } }, async ({ message }) => ({
    content: [{ type: "text", text: message }],
  }));
  return server;
}

const app = express();
const isLoopback = (a) => a === "127.0.0.1" || a === "::1" || a === "::ffff:127.0.0.1";
const server = app.listen(Number(args.port) || 0, "127.0.0.1", () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const mcpUrl = new URL("/mcp", base);
  app.use("/_test", (req, res, next) => (isLoopback(req.socket.remoteAddress) ? next() : res.status(403).json({ error: "loopback only" })));
  app.get("/_test/state", (_req, res) => res.json(state));
  app.post("/_test/revoke-refresh", (_req, res) => {
    for (const entry of refreshTokens.values()) entry.revoked = true;
    res.json({ revoked: refreshTokens.size });
  });
  app.post("/_test/token-redirect", (req, res) => {
    tokenRedirect = req.query.to ?? null;
    res.json({ tokenRedirect });
  });
  app.post("/_test/expire", (_req, res) => {
    const now = Math.floor(Date.now() / 1000);
    let n = 0;
    for (const entry of accessTokens.values()) {
      entry.expiresAt = now - 1;
      n++;
    }
    res.json({ expired: n });
  });
  const off = { rateLimit: false };
  const routerOptions = {
    provider,
    issuerUrl: new URL(base),
    resourceServerUrl: mcpUrl,
    scopesSupported,
    authorizationOptions: off,
    tokenOptions: off,
    clientRegistrationOptions: off,
    revocationOptions: off,
  };
  // The SDK has no device grant: its metadata gets the endpoint, and /token is answered here first
  // for that grant type.
  app.get("/.well-known/oauth-authorization-server", (_req, res) => {
    const metadata = createOAuthMetadata(routerOptions);
    const grants = [...metadata.grant_types_supported, DEVICE_GRANT, ...(args.enterprise ? [JWT_BEARER] : [])];
    res.json({
      ...metadata,
      ...(args.issuer ? { issuer: args.issuer } : {}),
      device_authorization_endpoint: `${base}/device_authorization`,
      grant_types_supported: grants,
    });
  });
  app.post("/token", (_req, res, next) => {
    if (!tokenRedirect) return next();
    state.tokenRedirects++;
    res.status(307).set("Location", tokenRedirect).end();
  });
  app.post("/device_authorization", express.urlencoded({ extended: false }), (req, res) => {
    const client = clients.get(req.body.client_id);
    if (!client) return res.status(401).json({ error: "invalid_client" });
    state.deviceAuthorizations++;
    state.resources.push(req.body.resource ?? null);
    const deviceCode = "dc-" + randomUUID();
    deviceCodes.set(deviceCode, { clientId: client.client_id, scopes: (req.body.scope ?? "").split(" ").filter(Boolean), resource: req.body.resource, polls: 0 });
    res.json({ device_code: deviceCode, user_code: "WDJB-MJHT", verification_uri: `${base}/device`, verification_uri_complete: `${base}/device?user_code=WDJB-MJHT`, expires_in: 600, interval: 1 });
  });
  app.post("/token", express.urlencoded({ extended: false }), (req, res, next) => {
    if (req.body?.grant_type !== DEVICE_GRANT) return next();
    const entry = deviceCodes.get(req.body.device_code);
    if (!entry || entry.clientId !== req.body.client_id) return res.status(400).json({ error: "invalid_grant" });
    state.devicePolls++;
    if (++entry.polls < 2) return res.status(400).json({ error: "authorization_pending" });
    deviceCodes.delete(req.body.device_code);
    state.resources.push(req.body.resource ?? null);
    res.json(issue(entry.clientId, entry.scopes, req.body.resource ?? entry.resource));
  });
  if (args.enterprise) {
    mountEnterprise(app, {
      base,
      mcpUrl: mcpUrl.href,
      state,
      issueAccess: (clientId, scopes, resource) => issue(clientId, scopes, resource, { refresh: false }),
      idTokenTtl: Number(args["id-token-ttl-s"]),
    });
  }
  app.use(mcpAuthRouter(routerOptions));
  const bearer = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });
  app.all("/mcp", (req, res, next) => {
    state.mcpRequests++;
    res.on("finish", () => {
      if (res.statusCode === 401) state.unauthorized++;
    });
    next();
  }, bearer, express.json(), async (req, res) => {
    if (req.method !== "POST") return res.status(405).set("Allow", "POST").end();
    const mcp = makeMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      transport.close();
      mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  stdoutWrite(JSON.stringify({ listening: mcpUrl.href }) + "\n");
  log(`listening on ${mcpUrl.href}`);
});
const shutdown = () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
