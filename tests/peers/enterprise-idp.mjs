// Enterprise-Managed Authorization (SEP-990, "cross-app access") for peers/oauth-server.mjs
// --enterprise: a company identity provider under /idp and the MCP authorization server's side of
// the flow.
//   IdP:  OpenID discovery at /.well-known/openid-configuration/idp (path-aware: the issuer is
//         <base>/idp); /idp/authorize (PKCE S256 required, approves at once, keeps the nonce);
//         /idp/token: authorization_code → ID token (+ refresh token with offline_access),
//         refresh_token → a new ID token, RFC 8693 token exchange ID token → ID-JAG. The IdP's
//         client must authenticate with client_secret_basic.
//   AS:   the RFC 7523 JWT bearer grant at /token: a valid ID-JAG for this AS and MCP server,
//         presented by the client the ID-JAG names (client_secret_post or _basic), earns an
//         access token (no refresh token:
//         the client exchanges again).
// Tokens are JWTs signed with an in-process HMAC key. Test hooks (loopback only, under /_test):
// POST /_test/revoke-idp revokes every ID token and IdP refresh token issued so far.
import express from "express";
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

export const IDP_CLIENT = { id: "bridge-at-idp", secret: "idp-secret-31c4e9" };
export const AS_CLIENT = { id: "bridge-at-as", secret: "as-secret-77d2a0" };
export const USER = "alice@example.com";
export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const ID_JAG_TYPE = "urn:ietf:params:oauth:token-type:id-jag";

const key = randomBytes(32);
const b64 = (text) => Buffer.from(text).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const trimSlash = (url) => String(url ?? "").replace(/\/+$/, "");

function sign(typ, claims) {
  const input = b64(JSON.stringify({ alg: "HS256", typ })) + "." + b64(JSON.stringify(claims));
  return input + "." + createHmac("sha256", key).update(input).digest("base64url");
}

// The claims of a token of ours of type `typ` that is unexpired, else null.
function verify(token, typ) {
  const [header, payload, signature] = String(token ?? "").split(".");
  if (!signature) return null;
  const expected = createHmac("sha256", key).update(`${header}.${payload}`).digest();
  const got = Buffer.from(signature, "base64url");
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  if (JSON.parse(Buffer.from(header, "base64url")).typ !== typ) return null;
  const claims = JSON.parse(Buffer.from(payload, "base64url"));
  return claims.exp > now() ? claims : null;
}

// client_secret_basic (RFC 6749 §2.3.1: form-encoded id and secret), or with `post` also
// client_secret_post.
function clientOf(req, { post = false } = {}) {
  const header = req.headers.authorization ?? "";
  if (post && !header && req.body?.client_secret) return { id: req.body.client_id, secret: req.body.client_secret };
  if (!header.startsWith("Basic ")) return null;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

const fail = (res, status, error, description) => res.status(status).json({ error, error_description: description });

// state: the peer's /_test/state object (counters are added to it); issueAccess(clientId, scopes,
// resource) issues an access token of the protected MCP server without a refresh token.
export function mountEnterprise(app, { base, mcpUrl, state, issueAccess, idTokenTtl }) {
  const issuer = `${base}/idp`;
  const codes = new Map(); // code → {challenge, redirectUri, nonce, scopes}
  const refreshTokens = new Map(); // IdP refresh token → {revoked}
  const idTokens = new Set(); // jti of every ID token issued
  const revoked = new Set();
  Object.assign(state, { idpSignIns: 0, idpRefreshes: 0, tokenExchanges: 0, jwtBearerGrants: 0, exchanges: [], enterpriseRefusals: [] });

  const idToken = (nonce) => {
    const jti = randomUUID();
    idTokens.add(jti);
    return sign("JWT", { iss: issuer, sub: USER, email: USER, aud: IDP_CLIENT.id, iat: now(), exp: now() + idTokenTtl, jti, ...(nonce ? { nonce } : {}) });
  };
  const refuse = (res, status, error, description) => {
    state.enterpriseRefusals.push(`${error}: ${description}`);
    return fail(res, status, error, description);
  };

  app.get("/.well-known/openid-configuration/idp", (_req, res) =>
    res.json({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["HS256"],
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["openid", "email", "offline_access"],
      grant_types_supported: ["authorization_code", "refresh_token", TOKEN_EXCHANGE],
      token_endpoint_auth_methods_supported: ["client_secret_basic"],
    }),
  );

  app.get("/idp/authorize", (req, res) => {
    const q = req.query;
    if (q.client_id !== IDP_CLIENT.id) return refuse(res, 400, "invalid_client", `unknown client ${q.client_id}`);
    if (q.code_challenge_method !== "S256" || !q.code_challenge) return refuse(res, 400, "invalid_request", "PKCE S256 required");
    const scopes = String(q.scope ?? "").split(" ").filter(Boolean);
    if (!scopes.includes("openid")) return refuse(res, 400, "invalid_scope", "openid is required");
    const code = "idp-code-" + randomUUID();
    codes.set(code, { challenge: q.code_challenge, redirectUri: q.redirect_uri, nonce: q.nonce, scopes });
    state.idpSignIns++;
    const target = new URL(q.redirect_uri);
    target.searchParams.set("code", code);
    if (q.state !== undefined) target.searchParams.set("state", q.state);
    res.redirect(target.toString());
  });

  app.post("/idp/token", express.urlencoded({ extended: false }), (req, res) => {
    const client = clientOf(req);
    if (!client || client.id !== IDP_CLIENT.id || client.secret !== IDP_CLIENT.secret) {
      return refuse(res, 401, "invalid_client", "client_secret_basic with the IdP client's credentials is required");
    }
    const body = req.body ?? {};
    if (body.grant_type === "authorization_code") {
      const entry = codes.get(body.code);
      if (!entry) return refuse(res, 400, "invalid_grant", "unknown code");
      codes.delete(body.code);
      if (entry.redirectUri !== body.redirect_uri) return refuse(res, 400, "invalid_grant", "redirect_uri differs");
      const challenge = createHash("sha256").update(String(body.code_verifier ?? "")).digest("base64url");
      if (challenge !== entry.challenge) return refuse(res, 400, "invalid_grant", "PKCE verifier does not match");
      const reply = { access_token: "idp-at-" + randomUUID(), token_type: "Bearer", expires_in: idTokenTtl, id_token: idToken(entry.nonce) };
      if (entry.scopes.includes("offline_access")) {
        reply.refresh_token = "idp-rt-" + randomUUID();
        refreshTokens.set(reply.refresh_token, { revoked: false });
      }
      return res.json(reply);
    }
    if (body.grant_type === "refresh_token") {
      const entry = refreshTokens.get(body.refresh_token);
      if (!entry || entry.revoked) return refuse(res, 400, "invalid_grant", "unknown or revoked refresh token");
      state.idpRefreshes++;
      return res.json({ access_token: "idp-at-" + randomUUID(), token_type: "Bearer", expires_in: idTokenTtl, id_token: idToken() });
    }
    if (body.grant_type === TOKEN_EXCHANGE) {
      if (body.subject_token_type !== ID_TOKEN_TYPE) return refuse(res, 400, "invalid_request", "subject_token_type must be id_token");
      if (body.requested_token_type !== ID_JAG_TYPE) return refuse(res, 400, "invalid_request", "requested_token_type must be id-jag");
      const claims = verify(body.subject_token, "JWT");
      if (!claims || revoked.has(claims.jti)) return refuse(res, 400, "invalid_grant", "the ID token is not valid");
      if (claims.aud !== client.id) return refuse(res, 400, "invalid_grant", "the ID token was issued to another client");
      if (trimSlash(body.audience) !== trimSlash(base)) return refuse(res, 400, "invalid_target", `unknown audience ${body.audience}`);
      if (body.resource !== mcpUrl) return refuse(res, 400, "invalid_target", `unknown resource ${body.resource}`);
      state.tokenExchanges++;
      state.exchanges.push({ audience: body.audience, resource: body.resource, scope: body.scope ?? null });
      const jag = sign("oauth-id-jag+jwt", {
        iss: issuer, sub: claims.sub, aud: body.audience, client_id: AS_CLIENT.id, resource: body.resource,
        ...(body.scope ? { scope: body.scope } : {}), jti: randomUUID(), iat: now(), exp: now() + 300,
      });
      return res.json({ access_token: jag, issued_token_type: ID_JAG_TYPE, token_type: "N_A", expires_in: 300 });
    }
    return refuse(res, 400, "unsupported_grant_type", String(body.grant_type));
  });

  // The MCP authorization server's JWT bearer grant, answered before the SDK's token handler.
  app.post("/token", express.urlencoded({ extended: false }), (req, res, next) => {
    if (req.body?.grant_type !== JWT_BEARER) return next();
    // The SDK's metadata advertises client_secret_post; basic is accepted too.
    const client = clientOf(req, { post: true });
    if (!client || client.id !== AS_CLIENT.id || client.secret !== AS_CLIENT.secret) {
      return refuse(res, 401, "invalid_client", "the AS client's credentials are required");
    }
    const claims = verify(req.body.assertion, "oauth-id-jag+jwt");
    if (!claims) return refuse(res, 400, "invalid_grant", "the assertion is not a valid ID-JAG");
    if (trimSlash(claims.aud) !== trimSlash(base)) return refuse(res, 400, "invalid_grant", "the ID-JAG is for another authorization server");
    if (claims.client_id !== client.id) return refuse(res, 400, "invalid_grant", "the ID-JAG names another client");
    if (claims.resource !== mcpUrl) return refuse(res, 400, "invalid_grant", "the ID-JAG is for another resource");
    state.jwtBearerGrants++;
    const scopes = String(req.body.scope ?? claims.scope ?? "").split(" ").filter(Boolean);
    res.json(issueAccess(client.id, scopes, claims.resource));
  });

  app.post("/_test/revoke-idp", (_req, res) => {
    for (const jti of idTokens) revoked.add(jti);
    for (const entry of refreshTokens.values()) entry.revoked = true;
    res.json({ revoked: revoked.size });
  });
}
