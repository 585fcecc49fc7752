package io.salesos.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.salesos.mirror.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server (JDK's built-in server, no framework): {@code /health}, {@code /metrics}
 * in Prometheus text, and the status page. It binds to 127.0.0.1 unless configured otherwise.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private final HttpServer server;
  private final Database database;
  private final Metrics metrics;
  private final Map<String, Function<HttpExchange, Response>> pages = new LinkedHashMap<>();

  /** A rendered answer. */
  public record Response(int status, String contentType, String body) {
    public static Response html(String body) {
      return new Response(200, "text/html; charset=utf-8", body);
    }
  }

  private AdminServer(HttpServer server, Database database, Metrics metrics) {
    this.server = server;
    this.database = database;
    this.metrics = metrics;
  }

  public static AdminServer start(Database database, Metrics metrics, String bind, int port) {
    try {
      var server = HttpServer.create(new InetSocketAddress(bind, port), 64);
      server.setExecutor(Executors.newFixedThreadPool(4, r -> {
        var t = new Thread(r, "salesos-admin");
        t.setDaemon(true);
        return t;
      }));
      var admin = new AdminServer(server, database, metrics);
      server.createContext("/health", admin::health);
      server.createContext("/metrics", admin::metrics);
      server.createContext("/", admin::page);
      server.start();
      log.info("event=admin_http_started address={}", admin.address());
      return admin;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the admin HTTP server on " + bind + ":" + port + ": " + e.getMessage(), e);
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

  private void health(HttpExchange ex) throws IOException {
    var reasons = new java.util.ArrayList<String>();
    try (var c = database.connection(); var rs = c.createStatement().executeQuery(
        "SELECT source, crm_object, last_error FROM sync_checkpoint WHERE last_error IS NOT NULL")) {
      while (rs.next()) {
        reasons.add(rs.getString(1) + "/" + rs.getString(2) + ": " + rs.getString(3));
      }
    } catch (Exception e) {
      reasons.add("database: " + e.getMessage());
    }
    boolean dbDown = reasons.stream().anyMatch(r -> r.startsWith("database:"));
    var body = new StringBuilder("{\"live\":true,\"ready\":").append(reasons.isEmpty()).append(",\"reasons\":[");
    for (int i = 0; i < reasons.size(); i++) {
      body.append(i == 0 ? "" : ",").append('"').append(json(reasons.get(i))).append('"');
    }
    body.append("]}");
    // liveness fails only when the database is gone; a CRM error makes it not ready, with the reason
    send(ex, new Response(dbDown ? 503 : 200, "application/json", body.toString()));
  }

  private void metrics(HttpExchange ex) throws IOException {
    try {
      send(ex, new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    } catch (RuntimeException e) {
      send(ex, new Response(503, "text/plain; charset=utf-8", "metrics unavailable: " + e.getMessage()));
    }
  }

  private void page(HttpExchange ex) throws IOException {
    var handler = pages.get(ex.getRequestURI().getPath());
    if (handler == null) {
      send(ex, new Response(404, "text/plain; charset=utf-8", "not found"));
      return;
    }
    try {
      send(ex, handler.apply(ex));
    } catch (RuntimeException e) {
      log.warn("event=admin_page_failed path={} reason=\"{}\"", ex.getRequestURI().getPath(), e.getMessage());
      send(ex, new Response(500, "text/plain; charset=utf-8", "error: " + e.getMessage()));
    }
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    var bytes = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.sendResponseHeaders(r.status(), bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
