package io.salesos.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.salesos.html.Html;
import io.salesos.mirror.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server (JDK's built-in server, no framework): {@code /health}, {@code /metrics}
 * in Prometheus text, and the status page. It binds to 127.0.0.1 unless configured otherwise; any
 * other address needs the admin token, which then locks every page but a minimal {@code /health}.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final int PROBE_SECONDS = 3;

  private final HttpServer server;
  // absent while the daemon starts (the database may take a while, or be unreachable): /health says why
  private volatile Database database;
  private volatile Metrics metrics;
  private volatile String starting = "starting";
  private final AdminToken token;
  private final FailedAttempts attempts;
  // pages are added after start, while requests may already arrive
  private final Map<String, Function<HttpExchange, Response>> pages = new ConcurrentHashMap<>();

  /** A rendered answer, with any headers beyond the content type. */
  public record Response(int status, String contentType, String body, Map<String, String> headers) {
    public Response {
      headers = Map.copyOf(headers);
    }

    public Response(int status, String contentType, String body) {
      this(status, contentType, body, Map.of());
    }

    public static Response html(String body) {
      return new Response(200, "text/html; charset=utf-8", body);
    }
  }

  private AdminServer(HttpServer server, Database database, Metrics metrics, AdminToken token, FailedAttempts attempts) {
    this.server = server;
    this.database = database;
    this.metrics = metrics;
    this.token = token;
    this.attempts = attempts;
  }

  /** A server without a token: loopback only, pages open, actions off. */
  public static AdminServer start(Database database, Metrics metrics, String bind, int port) {
    return start(database, metrics, bind, port, AdminToken.none());
  }

  /** Starts the server; refuses a non-loopback {@code bind} without a token (see {@link #requireTokenOffLoopback}). */
  public static AdminServer start(Database database, Metrics metrics, String bind, int port, AdminToken token) {
    return start(database, metrics, bind, port, token, Clock.systemUTC());
  }

  /**
   * A server for a daemon that is still opening its database: /health answers 503 with {@link
   * #starting(String) the reason}, everything else 503, until {@link #serve} hands it the database.
   */
  public static AdminServer starting(String bind, int port, AdminToken token) {
    return start(null, null, bind, port, token, Clock.systemUTC());
  }

  /** What the daemon waits for while it starts, for /health (no secrets: it may be shown to anyone on loopback). */
  public void starting(String reason) {
    starting = Objects.requireNonNull(reason, "reason");
  }

  /** Serves the pages, the metrics and a full /health over {@code database} from now on. */
  public void serve(Database database, Metrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.database = Objects.requireNonNull(database, "database");
  }

  static AdminServer start(Database database, Metrics metrics, String bind, int port, AdminToken token, Clock clock) {
    requireTokenOffLoopback(bind, token);
    try {
      var server = HttpServer.create(new InetSocketAddress(bind, port), 64);
      server.setExecutor(Executors.newFixedThreadPool(4, r -> {
        var t = new Thread(r, "salesos-admin");
        t.setDaemon(true);
        return t;
      }));
      var admin = new AdminServer(server, database, metrics, token, FailedAttempts.standard(clock));
      server.createContext("/", admin::handle);
      server.start();
      log.info("event=admin_http_started address={} locked={}", admin.address(), token.configured());
      return admin;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the admin HTTP server on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses to serve deals, amounts and quarantined payloads to the network without a token: a
   * bind to anything but a loopback address (0.0.0.0, a LAN address, a host name) needs one.
   */
  public static void requireTokenOffLoopback(String bind, AdminToken token) {
    if (!token.configured() && !isLoopback(bind)) {
      throw new IllegalStateException("admin.bind is " + bind + ", not a loopback address, and no admin.token is configured:"
          + " set admin.token: {env: SALESOS_ADMIN_TOKEN} with a token of at least 32 characters (openssl rand -hex 32),"
          + " or bind 127.0.0.1 and put a TLS reverse proxy in front");
    }
  }

  static boolean isLoopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false; // the bind fails anyway; never let an unknown name through as loopback
    }
  }

  /** Adds a page at {@code path} (exact match). */
  public void page(String path, Function<HttpExchange, Response> handler) {
    pages.put(path, handler);
  }

  public String address() {
    var a = server.getAddress();
    return "http://" + a.getHostString() + ":" + a.getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  AdminToken token() {
    return token;
  }

  private void handle(HttpExchange ex) throws IOException {
    Response r;
    try {
      r = route(ex);
    } catch (RuntimeException e) {
      var id = errorId();
      log.error("event=admin_request_failed error_id={} path={}", id, ex.getRequestURI().getPath(), e);
      // the exception's text may hold SQL, CRM payloads or paths: the log has it, the answer only the id
      r = new Response(500, TEXT, "internal error (error id " + id + "; the daemon's log has the details)");
    }
    send(ex, r);
  }

  private Response route(HttpExchange ex) {
    var path = ex.getRequestURI().getPath();
    if (path.equals("/health")) {
      return health();
    }
    if (token.configured()) {
      if (path.equals("/login")) {
        return login(ex);
      }
      if (path.equals("/logout")) {
        return logout(ex);
      }
      var refusal = refuseUnlessAuthorized(ex, path);
      if (refusal.isPresent()) {
        return refusal.get();
      }
    }
    if (!path.equals("/metrics") && !pages.containsKey(path)) {
      return new Response(404, TEXT, "not found");
    }
    // every page and the metrics read the database: with it down they answer at once, never hang
    var down = databaseDown();
    if (down.isPresent()) {
      return down.get();
    }
    if (path.equals("/metrics")) {
      return metrics();
    }
    return pages.get(path).apply(ex);
  }

  /** Empty when the request carries the token (header) or the login cookie; otherwise the answer. */
  private Optional<Response> refuseUnlessAuthorized(HttpExchange ex, String path) {
    if (attempts.blocked(remote(ex))) {
      return Optional.of(tooManyAttempts());
    }
    var presented = presentedToken(ex);
    if (presented.isPresent()) {
      if (token.accepts(presented)) {
        return Optional.empty();
      }
      refused(ex, path);
      return Optional.of(unauthorized(path, "wrong admin token"));
    }
    // a wrong cookie is not counted: its value is a 256-bit HMAC, not guessable, and a stale one
    // (after the token changed) must not lock a browser out
    if (token.acceptsSession(cookie(ex, AdminToken.COOKIE))) {
      return Optional.empty();
    }
    return Optional.of(unauthorized(path, "admin token required"));
  }

  /** The token from {@code Authorization: Bearer} or {@code X-Admin-Token}; never from the URL. */
  static Optional<String> presentedToken(HttpExchange ex) {
    var h = ex.getRequestHeaders();
    var auth = h.getFirst("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of(auth.substring(7).trim());
    }
    return Optional.ofNullable(h.getFirst("X-Admin-Token"));
  }

  /** Whether {@code ex}'s address is blocked after too many wrong tokens. */
  boolean blocked(HttpExchange ex) {
    return attempts.blocked(remote(ex));
  }

  /** Counts and logs a wrong token from {@code ex}'s address (never the token itself). */
  void refused(HttpExchange ex, String path) {
    var remote = remote(ex);
    if (attempts.failed(remote)) {
      log.warn("event=admin_token_refused remote={} path={} blocked_seconds={}", remote, path, attempts.blockSeconds());
    } else {
      log.warn("event=admin_token_refused remote={} path={}", remote, path);
    }
  }

  static Response tooManyAttempts() {
    return new Response(429, TEXT, "too many wrong admin tokens from this address: try again in a minute",
        Map.of("Retry-After", "60"));
  }

  private static Response unauthorized(String path, String why) {
    var challenge = Map.of("WWW-Authenticate", "Bearer realm=\"salesos admin\"");
    if (path.equals("/")) {
      var page = loginPage(why.equals("wrong admin token") ? "Wrong token." : "");
      return new Response(401, page.contentType(), page.body(), challenge);
    }
    return new Response(401, TEXT, why + ": send Authorization: Bearer TOKEN or X-Admin-Token: TOKEN", challenge);
  }

  private Response login(HttpExchange ex) {
    if ("GET".equals(ex.getRequestMethod())) {
      return loginPage("");
    }
    if (!"POST".equals(ex.getRequestMethod())) {
      return new Response(405, TEXT, "GET the form or POST token=...");
    }
    if (blocked(ex)) {
      return tooManyAttempts();
    }
    var presented = StatusPage.formPairs(DraftActions.body(ex)).stream().filter(p -> p[0].equals("token"))
        .map(p -> p[1]).findFirst();
    if (!token.accepts(presented)) {
      refused(ex, "/login");
      var page = loginPage("Wrong token.");
      return new Response(401, page.contentType(), page.body());
    }
    log.info("event=admin_login remote={}", remote(ex));
    // HttpOnly keeps it from scripts, SameSite=Strict from other sites' forms; Secure once a TLS proxy says so
    var https = "https".equalsIgnoreCase(ex.getRequestHeaders().getFirst("X-Forwarded-Proto"));
    var cookie = AdminToken.COOKIE + "=" + token.session().orElseThrow() + "; Path=/; HttpOnly; SameSite=Strict"
        + (https ? "; Secure" : "");
    return new Response(303, TEXT, "logged in", Map.of("Location", "/", "Set-Cookie", cookie));
  }

  private static Response logout(HttpExchange ex) {
    if (!"POST".equals(ex.getRequestMethod())) {
      return new Response(405, TEXT, "POST to log out");
    }
    return new Response(303, TEXT, "logged out", Map.of("Location", "/login",
        "Set-Cookie", AdminToken.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"));
  }

  private static Response loginPage(String message) {
    return Response.html("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>salesos admin: log in</title>"
        + "<style>body{font:14px system-ui,sans-serif;margin:48px auto;max-width:420px}input{width:100%;margin:6px 0}"
        + ".bad{color:#cf222e}</style></head><body><h1>salesos status</h1>"
        + (message.isEmpty() ? "" : "<p class=\"bad\">" + Html.esc(message) + "</p>")
        + "<form method=\"post\" action=\"/login\"><label>Admin token <input type=\"password\" name=\"token\""
        + " autocomplete=\"current-password\" required autofocus></label><button>Log in</button></form></body></html>");
  }

  /**
   * 200 when ready, 503 with the reasons when not: the database down (or its embedded server being
   * restarted) or a connection's last pull failed. It never waits long on the database: the probe
   * pool gives up within seconds, and a server known to be down is not asked at all.
   */
  private Response health() {
    var reasons = new ArrayList<String>();
    var database = this.database;
    var known = database == null ? Optional.of(starting) : database.unavailable();
    if (known.isPresent()) {
      reasons.add("database: " + known.get());
    } else {
      try (var c = database.probeConnection(); var st = c.createStatement()) {
        st.setQueryTimeout(PROBE_SECONDS);
        try (var rs = st.executeQuery("SELECT source, crm_object, last_error FROM sync_checkpoint WHERE last_error IS NOT NULL")) {
          while (rs.next()) {
            reasons.add(rs.getString(1) + "/" + rs.getString(2) + ": " + rs.getString(3));
          }
        }
      } catch (Exception e) {
        var id = errorId();
        log.warn("event=health_database_failed error_id={} reason=\"{}\"", id, e.toString());
        reasons.add("database: unreachable (error id " + id + ")");
      }
    }
    var body = JSON.createObjectNode();
    if (token.configured()) {
      // anyone may ask (load balancers, the container's health check), so it says ready or not and nothing more
      body.put("ready", reasons.isEmpty());
    } else {
      body.put("live", true).put("ready", reasons.isEmpty());
      var list = body.putArray("reasons");
      reasons.forEach(list::add);
    }
    return new Response(reasons.isEmpty() ? 200 : 503, "application/json", json(body));
  }

  /** A quick answer instead of a request that would wait on a database that is down; empty when it is up. */
  private Optional<Response> databaseDown() {
    var database = this.database;
    if (database == null) {
      return Optional.of(new Response(503, TEXT, "salesos is starting (" + starting + "); /health says when it is ready",
          Map.of("Retry-After", "10")));
    }
    var down = database.probe();
    if (down.isEmpty()) {
      return Optional.empty();
    }
    var id = errorId();
    log.warn("event=admin_database_unavailable error_id={} reason=\"{}\"", id, down.get());
    return Optional.of(new Response(503, TEXT, "the database is unavailable (error id " + id
        + "; /health and the daemon's log say why); try again shortly", Map.of("Retry-After", "10")));
  }

  private Response metrics() {
    try {
      return new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    } catch (RuntimeException e) {
      var id = errorId();
      log.error("event=metrics_failed error_id={}", id, e);
      return new Response(503, TEXT, "metrics unavailable (error id " + id + ")");
    }
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    var bytes = r.body().getBytes(StandardCharsets.UTF_8);
    var headers = ex.getResponseHeaders();
    headers.set("Content-Type", r.contentType());
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    r.headers().forEach(headers::set);
    ex.sendResponseHeaders(r.status(), bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String remote(HttpExchange ex) {
    var a = ex.getRemoteAddress();
    return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
  }

  private static Optional<String> cookie(HttpExchange ex, String name) {
    for (var header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (var part : header.split(";")) {
        var kv = part.trim();
        if (kv.startsWith(name + "=")) {
          return Optional.of(kv.substring(name.length() + 1));
        }
      }
    }
    return Optional.empty();
  }

  private static String errorId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
