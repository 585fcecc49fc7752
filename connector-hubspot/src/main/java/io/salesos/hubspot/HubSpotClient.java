package io.salesos.hubspot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.spi.ApiBudget;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.ConnectorException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HubSpot's REST API over java.net.http: sends one request with the bearer token, reads the
 * rate-limit headers into an {@link ApiBudget}, and turns every failure into a {@link
 * ConnectorException} of the kind core's resilience layer acts on.
 */
final class HubSpotClient {

  private static final Logger LOG = LoggerFactory.getLogger(HubSpotClient.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final HubSpotSettings settings;
  private final Clock clock;
  private volatile ApiBudget budget;
  private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

  HubSpotClient(HubSpotSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    var tier = settings.tier();
    this.budget = new ApiBudget(OptionalLong.empty(), OptionalLong.of(tier.daily()), OptionalLong.empty(),
        OptionalLong.of(tier.burst()), Duration.ofMillis(HubSpotTier.INTERVAL_MILLIS), clock.instant());
  }

  ApiBudget budget() {
    return budget;
  }

  long calls() {
    return calls.get();
  }

  JsonNode get(String pathAndQuery) throws ConnectorException {
    return send("GET", pathAndQuery, null);
  }

  JsonNode post(String path, Object body) throws ConnectorException {
    return send("POST", path, body);
  }

  /** Sends a request; answers the parsed body, or an empty object for 204. */
  JsonNode send(String method, String pathAndQuery, Object body) throws ConnectorException {
    return exchange(method, pathAndQuery, body, java.util.Set.of()).body();
  }

  /** An answer with its status: a success, or one of the statuses the caller said it handles. */
  record Answer(int status, JsonNode body) {}

  /**
   * Sends a request and answers success and the {@code handled} error statuses (409 for a create
   * that meets an existing name, say) with their parsed body; every other failure is thrown.
   */
  Answer exchange(String method, String pathAndQuery, Object body, java.util.Set<Integer> handled)
      throws ConnectorException {
    String payload;
    try {
      payload = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new ConnectorException(Kind.PERMANENT, "cannot encode the request body for " + pathAndQuery, e);
    }
    var request = HttpRequest.newBuilder(URI.create(settings.baseUrl() + pathAndQuery))
        .timeout(settings.requestTimeout())
        .header("Authorization", "Bearer " + settings.token())
        .header("Accept", "application/json")
        .method(method, payload == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(payload));
    if (payload != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<byte[]> response;
    calls.incrementAndGet();
    try {
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException stale) {
        // a pooled keep-alive connection the server already closed fails with EOF before the
        // request is read; one immediate retry is safe for reads and for upserts by key
        if (stale instanceof HttpTimeoutException || !safeToRepeat(method, pathAndQuery)) {
          throw stale;
        }
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      }
    } catch (HttpTimeoutException e) {
      throw new ConnectorException(Kind.TRANSIENT, method + " " + where() + path(pathAndQuery) + " timed out after "
          + settings.requestTimeout().toMillis() + " ms", e);
    } catch (IOException e) {
      throw new ConnectorException(Kind.TRANSIENT, method + " " + where() + path(pathAndQuery) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException(Kind.TRANSIENT, method + " " + path(pathAndQuery) + " was interrupted", e);
    }
    readBudget(response);
    int status = response.statusCode();
    if (status == 204) {
      return new Answer(status, JSON.createObjectNode());
    }
    if (handled.contains(status)) {
      return new Answer(status, parseQuietly(text(response)));
    }
    if (status / 100 == 2) {
      try {
        // parsed from the bytes: no decoding into a String first
        return new Answer(status, JSON.readTree(response.body()));
      } catch (IOException e) {
        // a cut or garbled whole response: the next attempt will most likely read fine
        throw new ConnectorException(Kind.TRANSIENT, method + " " + path(pathAndQuery) + " answered " + status
            + " with a body that is not JSON (" + text(response).length() + " chars): "
            + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
      }
    }
    throw failure(method, pathAndQuery, response);
  }

  /**
   * Downloads a file from an absolute, pre-signed URL (a journal entry's {@code url}): no bearer
   * token, no API budget. Empty when the storage no longer has it (403 or 404: expired or lost).
   */
  java.util.Optional<JsonNode> download(String url) throws ConnectorException {
    var where = URI.create(url);
    HttpResponse<byte[]> response;
    calls.incrementAndGet();
    try {
      response = http.send(HttpRequest.newBuilder(where).timeout(settings.requestTimeout()).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ConnectorException(Kind.TRANSIENT, "GET " + where.getHost() + where.getPath() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException(Kind.TRANSIENT, "GET " + where.getPath() + " was interrupted", e);
    }
    int status = response.statusCode();
    if (status == 403 || status == 404) {
      return java.util.Optional.empty();
    }
    if (status / 100 != 2) {
      throw new ConnectorException(status >= 500 ? Kind.TRANSIENT : Kind.PERMANENT,
          "GET " + where.getPath() + " answered " + status + ": " + truncate(text(response)));
    }
    try {
      return java.util.Optional.of(JSON.readTree(response.body()));
    } catch (IOException e) {
      throw new ConnectorException(Kind.TRANSIENT, "GET " + where.getPath() + " answered a body that is not JSON", e);
    }
  }

  private ConnectorException failure(String method, String pathAndQuery, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    var text = text(response);
    var body = parseQuietly(text);
    var message = body.path("message").asText(truncate(text));
    var category = body.path("category").asText(body.path("errorType").asText(""));
    var where = method + " " + path(pathAndQuery) + " answered " + status
        + (category.isEmpty() ? "" : " " + category) + ": " + message
        + (body.has("correlationId") ? " (correlationId " + body.get("correlationId").asText() + ")" : "");
    LOG.warn("event=hubspot_error method={} path={} status={} category={}", method, path(pathAndQuery), status,
        category);
    if (status == 429) {
      var policy = body.path("policyName").asText("");
      if (policy.equals("DAILY")) {
        var midnight = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(1).atStartOfDay()
            .toInstant(ZoneOffset.UTC);
        return new ConnectorException(Kind.LIMIT_EXHAUSTED, where,
            Duration.between(clock.instant(), midnight).toMillis(), null);
      }
      return new ConnectorException(Kind.RATE_LIMITED, where, retryAfter(response, policy), null);
    }
    if (status == 401 || status == 403) {
      return new ConnectorException(Kind.AUTHENTICATION, where
          + (status == 401 ? "; check the private app token" : "; the private app lacks a scope"));
    }
    if (status >= 500 || status == 408) {
      return new ConnectorException(Kind.TRANSIENT, where);
    }
    return new ConnectorException(Kind.PERMANENT, where);
  }

  /**
   * How long to wait after a 429: Retry-After when HubSpot sends it; otherwise the interval the
   * rate-limit headers name (the burst window refills within one interval); one second for the
   * search API's per-second policy, which sends no headers.
   */
  private static long retryAfter(HttpResponse<byte[]> response, String policy) {
    var retryAfter = response.headers().firstValue("Retry-After");
    if (retryAfter.isPresent()) {
      try {
        return Long.parseLong(retryAfter.get().trim()) * 1000L;
      } catch (NumberFormatException ignored) {
        // an HTTP date: fall through to the interval
      }
    }
    if (policy.equals("SECONDLY")) {
      return 1000L;
    }
    return response.headers().firstValue("X-HubSpot-RateLimit-Interval-Milliseconds")
        .map(HubSpotClient::parseLong).orElse(HubSpotTier.INTERVAL_MILLIS);
  }

  private void readBudget(HttpResponse<byte[]> response) {
    var h = response.headers();
    var max = h.firstValue("X-HubSpot-RateLimit-Max");
    var daily = h.firstValue("X-HubSpot-RateLimit-Daily");
    if (max.isEmpty() && daily.isEmpty()) {
      return;
    }
    var previous = budget;
    var dailyLimit = daily.map(v -> OptionalLong.of(parseLong(v))).orElse(previous.dailyLimit());
    var dailyRemaining = h.firstValue("X-HubSpot-RateLimit-Daily-Remaining").map(HubSpotClient::parseLong);
    var dailyUsed = dailyRemaining.isPresent() && dailyLimit.isPresent()
        ? OptionalLong.of(dailyLimit.getAsLong() - dailyRemaining.get()) : previous.dailyUsed();
    budget = new ApiBudget(dailyUsed, dailyLimit,
        h.firstValue("X-HubSpot-RateLimit-Remaining").map(v -> OptionalLong.of(parseLong(v))).orElse(previous.windowRemaining()),
        max.map(v -> OptionalLong.of(parseLong(v))).orElse(previous.windowLimit()),
        h.firstValue("X-HubSpot-RateLimit-Interval-Milliseconds").map(v -> Duration.ofMillis(parseLong(v)))
            .orElse(previous.window()),
        clock.instant());
  }

  private static long parseLong(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return 0L;
    }
  }

  private static String text(HttpResponse<byte[]> response) {
    return response.body() == null ? "" : new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static JsonNode parseQuietly(String body) {
    try {
      var node = JSON.readTree(body == null ? "" : body);
      return node == null ? JSON.createObjectNode() : node;
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode();
    }
  }

  private static String truncate(String body) {
    var s = body == null ? "" : body.replaceAll("\\s+", " ");
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  /**
   * The server a request went to, as scheme://host:port (no path, no credentials: the token travels
   * in a header), so an error an admin reads names the address that failed.
   */
  private String where() {
    var uri = URI.create(settings.baseUrl());
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return uri.getScheme() + "://" + uri.getHost() + ":" + port;
  }

  private static String path(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  private static boolean safeToRepeat(String method, String pathAndQuery) {
    return method.equals("GET") || pathAndQuery.contains("/search") || pathAndQuery.contains("/batch/read")
        || pathAndQuery.contains("/batch/upsert");
  }
}
