package dev.mcpwarden.authserver.http;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.AuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import dev.mcpwarden.authserver.client.Client;
import dev.mcpwarden.authserver.client.ClientKind;
import dev.mcpwarden.authserver.client.ClientRejected;
import dev.mcpwarden.authserver.client.RedirectUris;
import dev.mcpwarden.authserver.client.SecretHash;
import dev.mcpwarden.authserver.login.Identity;
import dev.mcpwarden.authserver.login.LoginAttempts;
import dev.mcpwarden.authserver.login.SignIns;
import dev.mcpwarden.authserver.login.UpstreamLogin;
import dev.mcpwarden.authserver.store.CodeGrant;
import dev.mcpwarden.authserver.store.ConsentKey;
import dev.mcpwarden.authserver.store.LoginSession;
import dev.mcpwarden.authserver.store.PendingAuthorization;
import dev.mcpwarden.authserver.token.TokenService;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser side: /authorize, /login, the upstream sign-in and /consent.
 *
 * <p>Order matters for the open-redirect defence: the client and its redirect URI are validated first, and any
 * problem with them ends on an error page here (HTTP 400), never in a redirect. Only then do other problems go back
 * to the (now trusted) redirect URI as {@code error}, {@code state} and {@code iss}.
 *
 * <p>The confused-deputy defence: a code is issued only after this user consented to this client, for exactly these
 * scopes and this resource, in a form protected by a CSRF token bound to the login session; consent is remembered
 * per (user, client, scopes, resource) in the store, never as a general "consented" cookie.
 */
final class BrowserFlow {

    private static final Logger LOG = LoggerFactory.getLogger(BrowserFlow.class);
    private static final Duration PENDING_TTL = Duration.ofMinutes(10);
    private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Settings s;
    private final SignIns signIns;
    private final Quotas quotas;

    BrowserFlow(Settings settings, Quotas quotas) {
        this.s = settings;
        this.signIns = new SignIns(settings.users(), settings.loginAttempts());
        this.quotas = quotas;
    }

    /** A problem to report to the client through its validated redirect URI. */
    private static final class Redirectable extends Exception {
        final String error;

        Redirectable(String error, String description) {
            super(description, null, false, false);
            this.error = error;
        }
    }

    // ---------------------------------------------------------------- /authorize

    void authorize(Request request, Response response, Callback callback) {
        if (!"GET".equals(request.getMethod())) {
            Html.error(response, callback, 405, "invalid_request", "Use GET for the authorization endpoint.");
            return;
        }
        try {
            // before anything is fetched or stored: each request may fetch a metadata document and keeps a pending
            // request for ten minutes
            quotas.authorize(request);
        } catch (Quotas.Exceeded e) {
            response.getHeaders().put("Retry-After", Long.toString(e.retryAfterSeconds));
            Html.error(response, callback, 429, "temporarily_unavailable", e.getMessage() + ".");
            return;
        }
        Map<String, List<String>> raw = Web.query(request);
        for (String p : List.of("client_id", "redirect_uri")) {
            if (raw.getOrDefault(p, List.of()).size() > 1) {
                Html.error(response, callback, 400, "invalid_request", "The parameter " + p + " is repeated.");
                return;
            }
        }
        String clientId = first(raw, "client_id");
        Client client;
        try {
            client = s.clients().find(clientId);
        } catch (ClientRejected e) {
            Html.error(response, callback, 400, "invalid_client", capitalize(e.getMessage()) + ".");
            return;
        }
        String given = first(raw, "redirect_uri");
        String redirect;
        if (given != null) {
            if (!RedirectUris.matches(client.redirectUris(), given)) {
                Html.error(response, callback, 400, "invalid_request",
                        "The redirect_uri is not registered for this client.");
                return;
            }
            redirect = given;
        } else if (client.redirectUris().size() == 1) {
            redirect = client.redirectUris().get(0);
        } else {
            Html.error(response, callback, 400, "invalid_request", "The redirect_uri is required for this client.");
            return;
        }
        // From here on the redirect URI is trusted: errors go back to the client.
        String state = raw.getOrDefault("state", List.of()).size() == 1 ? first(raw, "state") : null;
        try {
            PendingAuthorization pending = validate(client, redirect, given != null, state, raw, browser(request,
                    response));
            s.store().putPending(pending);
            Optional<LoginSession> session = session(request);
            String prompt = first(raw, "prompt");
            if ("none".equals(prompt)) {
                if (session.isEmpty()) {
                    throw new Redirectable("login_required", "the user is not signed in");
                }
                if (!s.store().hasConsent(consentKey(session.get(), pending), now())) {
                    throw new Redirectable("consent_required", "the user has not approved this client");
                }
                if (!silentAllowed(pending)) {
                    throw new Redirectable("consent_required", "the user must approve each request whose answer "
                            + "goes to this computer");
                }
            }
            if (session.isPresent() && !"login".equals(prompt) && !"consent".equals(prompt) && silentAllowed(pending)
                    && s.store().hasConsent(consentKey(session.get(), pending), now())) {
                s.store().takePending(pending.id(), now()).ifPresentOrElse(
                        p -> Web.redirect(response, callback, success(p, session.get())),
                        () -> Html.error(response, callback, 400, "invalid_request", "The request expired."));
                return;
            }
            String next = session.isPresent() && !"login".equals(prompt) ? "/consent" : "/login";
            Web.redirect(response, callback, next + "?request=" + pending.id());
        } catch (Redirectable r) {
            Web.redirect(response, callback, errorRedirect(redirect, state, r.error, r.getMessage()));
        }
    }

    private PendingAuthorization validate(Client client, String redirect, boolean given, String state,
                                          Map<String, List<String>> raw, String binding) throws Redirectable {
        Map<String, String> p;
        try {
            p = Web.single(raw);
        } catch (Web.BadRequest e) {
            throw new Redirectable("invalid_request", e.getMessage());
        }
        if (p.get("request") != null || p.get("request_uri") != null) {
            throw new Redirectable("request_not_supported", "request objects are not supported");
        }
        String responseType = p.get("response_type");
        if (responseType == null) {
            throw new Redirectable("invalid_request", "response_type is required");
        }
        if (!responseType.equals("code")) {
            throw new Redirectable("unsupported_response_type", "response_type must be code");
        }
        if (!client.grantTypes().contains("authorization_code")) {
            throw new Redirectable("unauthorized_client", "this client may not use the authorization code grant");
        }
        if (p.get("response_mode") != null && !p.get("response_mode").equals("query")) {
            throw new Redirectable("invalid_request", "response_mode must be query");
        }
        String challenge = p.get("code_challenge");
        String method = p.get("code_challenge_method");
        if (challenge == null) {
            throw new Redirectable("invalid_request", "code_challenge is required (PKCE with S256)");
        }
        if (method == null) {
            throw new Redirectable("invalid_request", "code_challenge_method is required and must be S256");
        }
        if (!method.equals("S256")) {
            throw new Redirectable("invalid_request", "code_challenge_method must be S256 (plain is not allowed)");
        }
        if (!CHALLENGE.matcher(challenge).matches()) {
            throw new Redirectable("invalid_request", "code_challenge must be a base64url SHA-256 hash (43 characters)");
        }
        String resource = p.get("resource");
        if (resource == null) {
            throw new Redirectable("invalid_target", "resource is required (RFC 8707)");
        }
        if (!s.resources().contains(resource)) {
            throw new Redirectable("invalid_target", "resource is not served by this authorization server");
        }
        Set<String> scopes = new TreeSet<>();
        if (p.get("scope") != null) {
            for (String sc : p.get("scope").trim().split(" +")) {
                if (sc.isEmpty()) {
                    continue;
                }
                boolean known = s.scopesSupported().contains(sc) || sc.equals("offline_access") && s.offlineAccess();
                if (!known) {
                    throw new Redirectable("invalid_scope", "scope " + Web.clip(sc).replaceAll("[\"\\\\]", "?")
                            + " is not supported");
                }
                scopes.add(sc);
            }
        } else {
            scopes.addAll(s.defaultScopes());
        }
        if (scopes.contains("offline_access") && !client.grantTypes().contains("refresh_token")) {
            scopes.remove("offline_access"); // nothing to be offline with
        }
        return new PendingAuthorization(TokenService.randomToken(), client.id(), redirect, given, state, challenge,
                scopes, resource, SecretHash.sha256(binding), "consent".equals(p.get("prompt")),
                now().plus(PENDING_TTL));
    }

    // ---------------------------------------------------------------- /login

    void login(Request request, Response response, Callback callback) {
        try {
            if ("GET".equals(request.getMethod())) {
                Map<String, String> q = Web.single(Web.query(request));
                PendingAuthorization pending = pending(request, q.get("request"));
                loginPage(response, callback, 200, pending, null);
                return;
            }
            if (!"POST".equals(request.getMethod())) {
                Html.error(response, callback, 405, "invalid_request", "Use GET or POST.");
                return;
            }
            Map<String, String> f = Web.single(Web.form(request));
            PendingAuthorization pending = pending(request, f.get("request"));
            if (s.users().isEmpty()) {
                Html.error(response, callback, 400, "invalid_request", "Password sign-in is not enabled.");
                return;
            }
            String username = f.getOrDefault("username", "");
            String password = f.getOrDefault("password", "");
            // budgets before any hashing, the hash inside the gate (see SignIns); a shared count that cannot be
            // reached throws StoreUnavailableException: 503, never an unchecked guess
            SignIns.Result result = signIns.signIn(Request.getRemoteAddr(request), pending.id(), username,
                    password.toCharArray(), now());
            Identity who;
            switch (result) {
                case SignIns.SignedIn in -> who = in.identity();
                case SignIns.Wrong wrong -> {
                    LOG.info("failed sign-in for client {}", pending.clientId());
                    if (wrong.requestClosed()) {
                        s.store().takePending(pending.id(), now());
                        Html.error(response, callback, 401, "access_denied", "Wrong username or password. After "
                                + LoginAttempts.Budget.PENDING.freeFailures() + " failed sign-ins this request is "
                                + "closed: return to the application and start again.");
                    } else {
                        loginPage(response, callback, 401, pending, "Wrong username or password.");
                    }
                    return;
                }
                case SignIns.Blocked blocked -> {
                    response.getHeaders().put("Retry-After", Long.toString(SignIns.retryAfterSeconds(result)));
                    loginPage(response, callback, 429, pending, "Too many failed sign-ins"
                            + (blocked.budget() == LoginAttempts.Budget.ADDRESS || blocked.budget() == LoginAttempts.Budget.SITE
                                    ? " from your network" : "")
                            + ". Wait " + SignIns.retryAfterSeconds(result) + " seconds and try again.");
                    return;
                }
                case SignIns.Busy busy -> {
                    response.getHeaders().put("Retry-After", "1");
                    loginPage(response, callback, 429, pending, "Too many sign-ins at once. Try again in a moment.");
                    return;
                }
            }
            startSession(response, who);
            Web.redirect(response, callback, "/consent?request=" + pending.id());
        } catch (Web.BadRequest e) {
            Html.error(response, callback, e.status, "invalid_request", e.getMessage());
        } catch (Stale e) {
            Html.error(response, callback, 400, "invalid_request", e.getMessage());
        }
    }

    void upstreamStart(Request request, Response response, Callback callback) {
        try {
            if (s.upstream() == null) {
                Html.error(response, callback, 404, "invalid_request", "No identity provider is configured.");
                return;
            }
            // each start keeps an upstream sign-in state for ten minutes: counted like an authorization request
            quotas.authorize(request);
            Map<String, String> q = Web.single(Web.query(request));
            PendingAuthorization pending = pending(request, q.get("request"));
            URI target = s.upstream().start(pending.id(), pending.browserBinding());
            Web.redirect(response, callback, target.toString());
        } catch (Web.BadRequest e) {
            Html.error(response, callback, e.status, "invalid_request", e.getMessage());
        } catch (Stale e) {
            Html.error(response, callback, 400, "invalid_request", e.getMessage());
        } catch (UpstreamLogin.Failed e) {
            Html.error(response, callback, 502, "temporarily_unavailable", e.getMessage());
        } catch (Quotas.Exceeded e) {
            response.getHeaders().put("Retry-After", Long.toString(e.retryAfterSeconds));
            Html.error(response, callback, 429, "temporarily_unavailable", e.getMessage() + ".");
        }
    }

    void upstreamCallback(Request request, Response response, Callback callback) {
        try {
            if (s.upstream() == null) {
                Html.error(response, callback, 404, "invalid_request", "No identity provider is configured.");
                return;
            }
            Map<String, String> q = Web.single(Web.query(request));
            String binding = Web.cookie(request, s.browserCookie());
            UpstreamLogin.Result result = s.upstream().complete(q,
                    binding == null ? null : SecretHash.sha256(binding));
            PendingAuthorization pending = pending(request, result.pendingId());
            startSession(response, result.identity());
            Web.redirect(response, callback, "/consent?request=" + pending.id());
        } catch (Web.BadRequest e) {
            Html.error(response, callback, e.status, "invalid_request", e.getMessage());
        } catch (Stale e) {
            Html.error(response, callback, 400, "invalid_request", e.getMessage());
        } catch (UpstreamLogin.Failed e) {
            Html.error(response, callback, 400, "access_denied", e.getMessage());
        }
    }

    private void startSession(Response response, Identity who) {
        String id = TokenService.randomToken();
        Instant now = now();
        s.store().putSession(new LoginSession(SecretHash.sha256(id), who.subject(), who.claims(),
                TokenService.randomToken(), now, now.plus(s.sessionTtl())));
        Web.setCookie(response, s.sessionCookie(), id, s.sessionTtl(), s.secure());
    }

    // ---------------------------------------------------------------- /consent

    void consent(Request request, Response response, Callback callback) {
        try {
            if ("GET".equals(request.getMethod())) {
                Map<String, String> q = Web.single(Web.query(request));
                PendingAuthorization pending = pending(request, q.get("request"));
                Optional<LoginSession> session = session(request);
                if (session.isEmpty()) {
                    Web.redirect(response, callback, "/login?request=" + pending.id());
                    return;
                }
                if (!pending.forceConsent() && silentAllowed(pending)
                        && s.store().hasConsent(consentKey(session.get(), pending), now())) {
                    finish(response, callback, pending.id(), session.get());
                    return;
                }
                consentPage(response, callback, pending, session.get());
                return;
            }
            if (!"POST".equals(request.getMethod())) {
                Html.error(response, callback, 405, "invalid_request", "Use GET or POST.");
                return;
            }
            Map<String, String> f = Web.single(Web.form(request));
            Optional<LoginSession> session = session(request);
            if (session.isEmpty()) {
                Html.error(response, callback, 403, "access_denied", "You are not signed in.");
                return;
            }
            String csrf = f.get("csrf");
            if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                    session.get().csrfToken().getBytes(StandardCharsets.UTF_8))) {
                Html.error(response, callback, 403, "access_denied",
                        "The consent form was not sent from this sign-in session (CSRF check failed).");
                return;
            }
            PendingAuthorization pending = pending(request, f.get("request"));
            String decision = f.get("decision");
            if ("approve".equals(decision)) {
                s.store().putConsent(consentKey(session.get(), pending), now().plus(s.limits().consentTtl()));
                LOG.info("consent given by {} to client {} for {} {}", session.get().subject(), pending.clientId(),
                        pending.resource(), pending.scopes());
                finish(response, callback, pending.id(), session.get());
            } else if ("deny".equals(decision)) {
                s.store().takePending(pending.id(), now());
                Web.redirect(response, callback, errorRedirect(pending.redirectUri(), pending.state(),
                        "access_denied", "the user denied the request"));
            } else {
                Html.error(response, callback, 400, "invalid_request", "The decision must be approve or deny.");
            }
        } catch (Web.BadRequest e) {
            Html.error(response, callback, e.status, "invalid_request", e.getMessage());
        } catch (Stale e) {
            Html.error(response, callback, 400, "invalid_request", e.getMessage());
        }
    }

    /** Takes the pending request (exactly once) and redirects with a fresh code. */
    private void finish(Response response, Callback callback, String pendingId, LoginSession session) {
        Optional<PendingAuthorization> taken = s.store().takePending(pendingId, now());
        if (taken.isEmpty()) {
            Html.error(response, callback, 400, "invalid_request", "This sign-in request was already completed.");
            return;
        }
        Web.redirect(response, callback, success(taken.get(), session));
    }

    private String success(PendingAuthorization p, LoginSession session) {
        String code = TokenService.randomToken();
        s.store().putCode(SecretHash.sha256(code), new CodeGrant(TokenService.newId(), p.clientId(), p.redirectUri(),
                p.redirectUriGiven(), p.codeChallenge(), p.scopes(), p.resource(), session.subject(),
                session.claims(), now().plus(s.codeTtl())));
        return new AuthorizationSuccessResponse(URI.create(p.redirectUri()), new AuthorizationCode(code), null,
                p.state() == null ? null : new State(p.state()), new Issuer(s.issuer()), ResponseMode.QUERY)
                .toURI().toString();
    }

    private String errorRedirect(String redirect, String state, String error, String description) {
        return new AuthorizationErrorResponse(URI.create(redirect), new ErrorObject(error, description),
                state == null ? null : new State(state), new Issuer(s.issuer()), ResponseMode.QUERY)
                .toURI().toString();
    }

    // ---------------------------------------------------------------- pages

    private void loginPage(Response response, Callback callback, int status, PendingAuthorization p, String error) {
        Client client = clientOf(p);
        StringBuilder b = new StringBuilder("<h1>Sign in</h1>");
        b.append("<p>to continue to <strong id=\"client-name\">").append(Html.esc(client.name()))
                .append("</strong>").append(client.nameUnverified() ? " <span class=\"badge\">unverified</span>" : "")
                .append("</p>");
        // Which server this is and what the client wants: a sign-in page that names neither could be anyone's.
        // Shown without the scheme: the page carries no URL anything could follow.
        b.append("<p>Signing in at <strong id=\"issuer\">").append(Html.esc(withoutScheme(String.valueOf(s.issuer()))))
                .append("</strong> for access to <code id=\"login-resource\">")
                .append(Html.esc(withoutScheme(p.resource()))).append("</code></p>");
        if (error != null) {
            b.append("<div class=\"box err\" id=\"error\">").append(Html.esc(error)).append("</div>");
        }
        if (!s.users().isEmpty()) {
            b.append("<form method=\"post\" action=\"/login\" class=\"box\">")
                    .append("<input type=\"hidden\" name=\"request\" value=\"").append(Html.esc(p.id())).append("\">")
                    .append("<label for=\"username\">Username</label>")
                    .append("<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" required>")
                    .append("<label for=\"password\">Password</label>")
                    .append("<input type=\"password\" id=\"password\" name=\"password\" ")
                    .append("autocomplete=\"current-password\" required>")
                    .append("<button type=\"submit\" id=\"sign-in\">Sign in</button></form>");
        }
        if (s.upstream() != null) {
            b.append("<p><a class=\"button\" id=\"upstream\" href=\"/login/upstream?request=")
                    .append(Html.esc(p.id())).append("\">Sign in with ").append(Html.esc(s.upstreamName()))
                    .append("</a></p>");
        }
        Html.page(response, callback, status, "Sign in", b.toString(), null);
    }

    private static String withoutScheme(String uri) {
        int i = uri == null ? -1 : uri.indexOf("://");
        return i < 0 ? String.valueOf(uri) : uri.substring(i + 3);
    }

    private void consentPage(Response response, Callback callback, PendingAuthorization p, LoginSession session) {
        Client client = clientOf(p);
        URI redirect = URI.create(p.redirectUri());
        String host = redirect.getHost();
        boolean loopback = RedirectUris.isLoopbackHost(host);
        StringBuilder b = new StringBuilder("<h1>Allow access?</h1>");
        b.append("<div class=\"box\"><p><strong id=\"client-name\">").append(Html.esc(client.name()))
                .append("</strong>");
        if (client.nameUnverified()) {
            b.append(" <span class=\"badge\" id=\"unverified\">unverified</span>");
        }
        b.append("</p><p>Client: <code id=\"client-id\">").append(Html.esc(client.id())).append("</code>");
        if (client.kind() == ClientKind.METADATA_DOCUMENT) {
            b.append(" (described by its own document at <strong>").append(Html.esc(URI.create(client.id())
                    .getHost())).append("</strong>)");
        } else if (client.kind() == ClientKind.DYNAMIC) {
            b.append(" (registered itself; its name was not checked)");
        }
        b.append("</p><p>After you decide, you will be sent to <strong id=\"redirect-host\">")
                .append(Html.esc(host)).append("</strong>.</p></div>");
        if (loopback) {
            b.append("<div class=\"box warn\" id=\"loopback-warning\">This application receives the answer on this "
                    + "computer (").append(Html.esc(host)).append("). Only allow it if you started this sign-in "
                    + "yourself just now.</div>");
        }
        b.append("<p>Signed in as <strong id=\"subject\">").append(Html.esc(session.subject()))
                .append("</strong>. It asks to access <code id=\"resource\">").append(Html.esc(p.resource()))
                .append("</code> on your behalf");
        if (p.scopes().isEmpty()) {
            b.append(" (no specific permissions).</p>");
        } else {
            b.append(" with these permissions:</p><ul id=\"scopes\">");
            p.scopes().forEach(sc -> b.append("<li><code>").append(Html.esc(sc)).append("</code></li>"));
            b.append("</ul>");
        }
        b.append("<form method=\"post\" action=\"/consent\">")
                .append("<input type=\"hidden\" name=\"request\" value=\"").append(Html.esc(p.id())).append("\">")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(Html.esc(session.csrfToken()))
                .append("\">")
                .append("<button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Allow</button>")
                .append("<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>")
                .append("</form>");
        String origin = redirect.getScheme() + "://" + redirect.getRawAuthority();
        Html.page(response, callback, 200, "Allow access?", b.toString(), origin);
    }

    // ---------------------------------------------------------------- helpers

    /** The pending request is unknown, expired, or belongs to another browser. */
    private static final class Stale extends Exception {
        Stale(String message) {
            super(message, null, false, false);
        }
    }

    private PendingAuthorization pending(Request request, String id) throws Stale {
        if (id == null) {
            throw new Stale("The sign-in request is missing. Return to the application and start again.");
        }
        PendingAuthorization p = s.store().pending(id, now()).orElseThrow(() -> new Stale(
                "This sign-in request has expired or was already completed. Return to the application and start "
                        + "again."));
        String binding = Web.cookie(request, s.browserCookie());
        if (binding == null || !MessageDigest.isEqual(SecretHash.sha256(binding).getBytes(StandardCharsets.US_ASCII),
                p.browserBinding().getBytes(StandardCharsets.US_ASCII))) {
            throw new Stale("This sign-in request was started in another browser.");
        }
        return p;
    }

    private Client clientOf(PendingAuthorization p) {
        try {
            return s.clients().find(p.clientId());
        } catch (ClientRejected e) {
            // validated a moment ago; a metadata document that vanished since is shown by its id
            return new Client(p.clientId(), p.clientId(), List.of(p.redirectUri()), ClientKind.METADATA_DOCUMENT,
                    null, Set.of("authorization_code"), Set.of(), "web");
        }
    }

    private Optional<LoginSession> session(Request request) {
        String id = Web.cookie(request, s.sessionCookie());
        return id == null ? Optional.empty() : s.store().session(SecretHash.sha256(id), now());
    }

    /** The browser-binding value: the existing cookie, or a new one set on this response. */
    private String browser(Request request, Response response) {
        String v = Web.cookie(request, s.browserCookie());
        if (v == null || v.length() != 43) {
            v = TokenService.randomToken();
            Web.setCookie(response, s.browserCookie(), v, null, s.secure());
        }
        return v;
    }

    /**
     * Whether a remembered consent may issue a code with no page (RFC 8252 §8.6): never when the answer goes to a
     * redirect another program on the user's computer could receive (a loopback port anyone may listen on), since
     * a local process naming this client would otherwise take the user's tokens without the user seeing anything.
     */
    private static boolean silentAllowed(PendingAuthorization p) {
        return !RedirectUris.reachableByLocalPrograms(p.redirectUri());
    }

    private static ConsentKey consentKey(LoginSession session, PendingAuthorization p) {
        return new ConsentKey(session.subject(), p.clientId(), p.scopes(), p.resource());
    }

    private Instant now() {
        return s.clock().instant();
    }

    private static String first(Map<String, List<String>> raw, String name) {
        List<String> v = raw.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }

    private static String capitalize(String m) {
        return m.isEmpty() ? m : Character.toUpperCase(m.charAt(0)) + m.substring(1);
    }
}
