package io.salesos.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.mirror.Database;
import io.salesos.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin server on a non-loopback bind: locked by the token, login by form and cookie, wrong tokens blocked. */
class AdminLockTest {

  static final String TOKEN = "0123456789abcdef0123456789abcdef-locked";

  Database db;
  AdminServer server;
  String base;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    db = TestDatabases.fresh();
    server = AdminServer.start(db, new Metrics(db, List.of()), "0.0.0.0", 0, AdminToken.of(Optional.of(TOKEN)));
    StatusPage.register(server, db, List.of("salesforce"), Clock.systemUTC(), Optional::empty);
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
    db.close();
  }

  @Test
  void aNonLoopbackBindWithoutATokenIsRefused() {
    assertThatThrownBy(() -> AdminServer.start(db, new Metrics(db, List.of()), "0.0.0.0", 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("admin.bind is 0.0.0.0, not a loopback address")
        .hasMessageContaining("admin.token: {env: SALESOS_ADMIN_TOKEN}");
    assertThat(AdminServer.isLoopback("127.0.0.1")).isTrue();
    assertThat(AdminServer.isLoopback("::1")).isTrue();
    assertThat(AdminServer.isLoopback("0.0.0.0")).isFalse();
    assertThat(AdminServer.isLoopback("no-such-host.invalid")).isFalse();
  }

  @Test
  void thePageAndMetricsAre401WithoutTheTokenAnd200WithIt() throws Exception {
    var page = send(get("/"));
    assertThat(page.statusCode()).isEqualTo(401);
    assertThat(page.body()).contains("action=\"/login\"").doesNotContain("Forecast");
    assertThat(send(get("/metrics")).statusCode()).isEqualTo(401);
    assertThat(send(get("/nothing-here")).statusCode()).as("no path is revealed before the token").isEqualTo(401);
    assertThat(send(get("/?token=" + TOKEN)).statusCode()).as("a token in the URL counts for nothing").isEqualTo(401);

    assertThat(send(get("/").header("Authorization", "Bearer " + TOKEN)).statusCode()).isEqualTo(200);
    assertThat(send(get("/metrics").header("Authorization", "Bearer " + TOKEN)).statusCode()).isEqualTo(200);
    assertThat(send(get("/metrics").header("X-Admin-Token", TOKEN)).statusCode()).isEqualTo(200);
  }

  @Test
  void aLoginSetsACookieThatOpensThePageWithoutHoldingTheToken() throws Exception {
    var wrong = send(post("/login", "token=wrong"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

    var login = send(post("/login", "token=" + TOKEN));
    assertThat(login.statusCode()).isEqualTo(303);
    var setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("salesos_admin=").contains("HttpOnly", "SameSite=Strict").doesNotContain(TOKEN);
    var cookie = setCookie.substring(0, setCookie.indexOf(';'));
    var page = send(get("/").header("Cookie", cookie));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("salesos status", "action=\"/logout\"");
    assertThat(send(get("/").header("Cookie", "salesos_admin=forged")).statusCode()).isEqualTo(401);
  }

  @Test
  void healthSaysOnlyWhetherItIsReady() throws Exception {
    var health = send(get("/health"));
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("{\"ready\":true}");
    try (var c = db.connection()) {
      c.createStatement().execute("INSERT INTO sync_checkpoint (source, crm_object, checkpoint, updated_at, last_error)"
          + " VALUES ('hs', 'deals', '{}', UTC_TIMESTAMP(), 'AUTHENTICATION: 401 the token was revoked')");
    }
    var notReady = send(get("/health"));
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).isEqualTo("{\"ready\":false}");
  }

  @Test
  void theEleventhWrongTokenInAMinuteIs429() throws Exception {
    for (int i = 1; i <= 10; i++) {
      assertThat(send(get("/metrics").header("Authorization", "Bearer wrong-" + i)).statusCode()).as("attempt " + i)
          .isEqualTo(401);
    }
    var eleventh = send(get("/metrics").header("Authorization", "Bearer wrong-11"));
    assertThat(eleventh.statusCode()).isEqualTo(429);
    assertThat(eleventh.headers().firstValue("Retry-After")).contains("60");
    assertThat(send(get("/metrics").header("Authorization", "Bearer " + TOKEN)).statusCode())
        .as("blocked whatever it presents, so the block tells a guesser nothing").isEqualTo(429);
    assertThat(send(post("/login", "token=" + TOKEN)).statusCode()).isEqualTo(429);
    assertThat(send(get("/health")).statusCode()).as("health stays open").isEqualTo(200);
  }

  @Test
  void aFailingPageAnswersAnErrorIdAndNotTheExceptionText() throws Exception {
    server.page("/boom", ex -> {
      throw new IllegalStateException("SELECT secret_column FROM deal: connection refused");
    });
    var r = send(get("/boom").header("Authorization", "Bearer " + TOKEN));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).containsPattern("error id [0-9a-f]{8}").doesNotContain("secret_column", "refused");
  }

  @Test
  void wrongTokensAreBlockedPerAddressAndTheBlockEndsAfterAMinute() {
    var now = new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-01-05T09:00:00Z"));
    var clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return now.get();
      }
    };
    var attempts = FailedAttempts.standard(clock);
    for (int i = 0; i < 9; i++) {
      assertThat(attempts.failed("10.0.0.1")).isFalse();
    }
    now.set(now.get().plusSeconds(61));
    assertThat(attempts.failed("10.0.0.1")).as("the early failures left the window").isFalse();
    for (int i = 0; i < 8; i++) {
      attempts.failed("10.0.0.1");
    }
    assertThat(attempts.failed("10.0.0.1")).isTrue();
    assertThat(attempts.blocked("10.0.0.1")).isTrue();
    assertThat(attempts.blocked("10.0.0.2")).isFalse();
    now.set(now.get().plusSeconds(60));
    assertThat(attempts.blocked("10.0.0.1")).isFalse();
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path));
  }

  private HttpRequest.Builder post(String path, String form) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
