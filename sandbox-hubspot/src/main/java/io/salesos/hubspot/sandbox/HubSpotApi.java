package io.salesos.hubspot.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireMock extension that turns every request into a HubSpot answer: it checks the bearer
 * token, injected faults and rate limits, routes to {@link ObjectsEndpoint} and friends, and adds
 * HubSpot's rate-limit headers. The state lives in {@link SandboxState}, not in WireMock stubs.
 */
final class HubSpotApi implements ResponseDefinitionTransformerV2 {

  private static final Logger LOG = LoggerFactory.getLogger(HubSpotApi.class);
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final Pattern OBJECTS = Pattern.compile("^/crm/v3/objects/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$");
  private static final Pattern PROPERTIES = Pattern.compile("^/crm/v3/properties/([^/]+)(?:/([^/]+))?$");
  private static final Pattern GROUPS = Pattern.compile("^/crm/v3/properties/([^/]+)/groups(?:/([^/]+))?$");
  private static final Pattern SCHEMAS = Pattern.compile("^/(?:crm|crm-object-schemas)/v3/schemas(?:/([^/]+))?$");
  private static final Pattern OWNERS = Pattern.compile("^/crm/v3/owners/?([^/]*)$");
  private static final Pattern PIPELINES =
      Pattern.compile("^/crm/v3/pipelines/([^/]+)(?:/([^/]+))?(?:/(stages)(?:/([^/]+))?)?/?$");
  private static final Pattern V4_DEFAULT =
      Pattern.compile("^/crm/v4/objects/([^/]+)/([^/]+)/associations/default/([^/]+)/([^/]+)$");
  private static final Pattern V4_OBJECT =
      Pattern.compile("^/crm/v4/objects/([^/]+)/([^/]+)/associations/([^/]+)(?:/([^/]+))?$");
  private static final Pattern V4_LABELS = Pattern.compile("^/crm/v4/associations/([^/]+)/([^/]+)/labels(?:/([^/]+))?$");
  private static final Pattern V4_BATCH = Pattern.compile("^/crm/v4/associations/([^/]+)/([^/]+)/batch/(.+)$");
  private static final Pattern CURRENCIES = Pattern.compile("^/settings/v3/currencies/(company-currency|exchange-rates(/current)?)$");
  private static final Pattern ACCOUNT = Pattern.compile("^/account-info/v3/(details|api-usage/daily/private-apps)$");

  /** One answer before it becomes a WireMock response. */
  record Reply(int status, String body, String contentType) {
    static Reply json(int status, JsonNode body) {
      return new Reply(status, body.toString(), "application/json;charset=utf-8");
    }

    static Reply noContent() {
      return new Reply(204, "", null);
    }
  }

  private final SandboxState state;
  private final Faults faults;
  private final RequestBudget budget;
  private final String token;
  private final ObjectsEndpoint objects;
  private final SearchEndpoint search;
  private final MetadataEndpoint metadata;
  private final SchemasEndpoint schemas;
  private final PipelinesEndpoint pipelines;
  private final AccountEndpoint account;
  private final JournalEndpoint journal;
  private final CurrenciesEndpoint currencies = new CurrenciesEndpoint();
  private volatile boolean schemaWriteScope = true;
  /** Requests to the API (entry-file downloads from storage are not API requests). */
  final java.util.concurrent.atomic.AtomicLong apiRequests = new java.util.concurrent.atomic.AtomicLong();
  /** The journal batch reads among {@link #apiRequests}. */
  final java.util.concurrent.atomic.AtomicLong journalBatchRequests = new java.util.concurrent.atomic.AtomicLong();

  HubSpotApi(SandboxState state, Faults faults, RequestBudget budget, String token) {
    this.state = state;
    this.faults = faults;
    this.budget = budget;
    this.token = token;
    this.objects = new ObjectsEndpoint(state, faults);
    this.search = new SearchEndpoint(state, objects);
    this.metadata = new MetadataEndpoint(state, objects);
    this.schemas = new SchemasEndpoint(state, metadata);
    this.pipelines = new PipelinesEndpoint(state, objects);
    this.account = new AccountEndpoint(budget);
    this.journal = new JournalEndpoint(state);
  }

  /** Whether the private app holds the crm.schemas.*.write scopes that creating properties needs. */
  void schemaWriteScope(boolean granted) {
    this.schemaWriteScope = granted;
  }

  @Override
  public String getName() {
    return "hubspot-sandbox";
  }

  @Override
  public boolean applyGlobally() {
    return true;
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    var request = event.getRequest();
    var builder = new ResponseDefinitionBuilder();
    long delay = faults.takeDelay();
    if (delay > 0) {
      builder.withFixedDelay((int) delay);
    }
    var path = request.getUrl().split("\\?", 2)[0];
    if (JournalEndpoint.handles(path) && faults.takeJournalDrop()) {
      // the connection is cut before an answer, as a proxy or a network fault would
      return builder.withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER).build();
    }
    var reply = answer(request, builder);
    builder.withStatus(reply.status());
    if (reply.contentType() != null) {
      builder.withHeader("Content-Type", reply.contentType());
    }
    if (!reply.body().isEmpty()) {
      builder.withBody(reply.body());
    }
    return builder.build();
  }

  private Reply answer(Request request, ResponseDefinitionBuilder headers) {
    var url = request.getUrl();
    int q = url.indexOf('?');
    var path = q < 0 ? url : url.substring(0, q);
    var query = parseQuery(q < 0 ? "" : url.substring(q + 1));
    var method = request.getMethod().getName();
    var file = JournalEndpoint.FILES.matcher(path);
    if (file.matches() && method.equals("GET")) {
      // a pre-signed storage URL: no bearer token, no API budget
      return journal.file(file.group(1));
    }
    apiRequests.incrementAndGet();
    var auth = request.getHeader("Authorization");
    if (auth == null || !auth.equals("Bearer " + token)) {
      return error(new ApiError(401, "INVALID_AUTHENTICATION",
          "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
              + "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"));
    }
    var failure = faults.takeFailure();
    if (failure.isPresent()) {
      return serverError(failure.get());
    }
    boolean isSearch = path.endsWith("/search") && method.equals("POST");
    // the journal's batch reads are exempt from the standard daily and burst limits (HubSpot's journal guide)
    if (JournalEndpoint.BATCH.matcher(path).matches()) {
      journalBatchRequests.incrementAndGet();
    } else {
      var verdict = faults.takeRateLimit() ? budget.exhausted() : budget.take(isSearch);
      rateHeaders(headers, verdict, isSearch);
      if (verdict.brokenPolicy().isPresent()) {
        return rateLimited(verdict.brokenPolicy().get());
      }
    }
    Reply reply;
    try {
      JsonNode body = method.equals("GET") || method.equals("DELETE") ? NODES.objectNode() : parse(request);
      var base = request.getAbsoluteUrl().substring(0, request.getAbsoluteUrl().length() - url.length());
      java.util.function.Supplier<Reply> routed = () -> JournalEndpoint.handles(path)
          ? journal.route(method, path, body, base) : route(method, path, query, body);
      reply = method.equals("GET") ? state.reading(routed) : state.writing(routed);
    } catch (ApiError e) {
      reply = error(e);
    } catch (RuntimeException e) {
      LOG.warn("event=sandbox_error method={} path={} error={}", method, path, e.toString(), e);
      reply = error(new ApiError(500, "INTERNAL_ERROR", "internal error: " + e.getMessage()));
    }
    if (reply.status() / 100 == 2 && !reply.body().isEmpty() && faults.takeMalformed()) {
      // cut the body mid-way, as a dropped connection behind a proxy would
      reply = new Reply(reply.status(), reply.body().substring(0, reply.body().length() / 2), reply.contentType());
    }
    return reply;
  }

  private Reply route(String method, String path, Map<String, List<String>> query, JsonNode body) {
    Matcher m;
    if ((m = OBJECTS.matcher(path)).matches()) {
      var type = segment(m, 1);
      var second = segment(m, 2);
      var third = segment(m, 3);
      if (second == null) {
        return switch (method) {
          case "GET" -> objects.list(type, query);
          case "POST" -> objects.createOne(type, body);
          default -> methodNotAllowed(method, path);
        };
      }
      if (third == null && method.equals("POST")) {
        switch (second) {
          case "search" -> {
            return search.search(type, body);
          }
          case "merge" -> {
            return objects.merge(type, body);
          }
          case "gdpr-delete" -> {
            return objects.gdprDelete(type, body);
          }
          default -> { }
        }
      }
      if (second.equals("batch") && third != null) {
        return method.equals("POST") ? objects.batch(type, third, body, query) : methodNotAllowed(method, path);
      }
      if (third == null) {
        return switch (method) {
          case "GET" -> objects.getOne(type, second, query);
          case "PATCH" -> objects.updateOne(type, second, body, query);
          case "DELETE" -> objects.archiveOne(type, second);
          default -> methodNotAllowed(method, path);
        };
      }
    }
    if (method.equals("POST") && path.startsWith("/crm/v3/properties/") && !schemaWriteScope) {
      var type = path.substring("/crm/v3/properties/".length()).split("/")[0];
      throw new ApiError(403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.",
          List.of(Map.of("message", "One or more of the following scopes are required.",
              "context", Map.of("requiredGranularScopes", List.of("crm.schemas." + type + ".write")))), Map.of());
    }
    if ((m = GROUPS.matcher(path)).matches()) {
      var type = segment(m, 1);
      var name = segment(m, 2);
      return switch (method) {
        case "GET" -> name == null ? metadata.groups(type) : metadata.group(type, name);
        case "POST" -> name == null ? metadata.createGroup(type, body) : methodNotAllowed(method, path);
        default -> methodNotAllowed(method, path);
      };
    }
    if ((m = PROPERTIES.matcher(path)).matches()) {
      var type = segment(m, 1);
      var name = segment(m, 2);
      return switch (method) {
        case "GET" -> name == null ? metadata.properties(type, query) : metadata.property(type, name, query);
        case "POST" -> name == null ? metadata.createProperty(type, body) : methodNotAllowed(method, path);
        case "PATCH" -> name == null ? methodNotAllowed(method, path) : metadata.updateProperty(type, name, body);
        default -> methodNotAllowed(method, path);
      };
    }
    if ((m = SCHEMAS.matcher(path)).matches()) {
      var objectType = segment(m, 1);
      if (method.equals("POST") && objectType == null && !schemaWriteScope) {
        throw new ApiError(403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.",
            List.of(Map.of("message", "One or more of the following scopes are required.",
                "context", Map.of("requiredGranularScopes", List.of("crm.schemas.custom.write")))), Map.of());
      }
      return switch (method) {
        case "GET" -> objectType == null ? schemas.list() : schemas.get(objectType);
        case "POST" -> objectType == null ? schemas.create(body) : methodNotAllowed(method, path);
        default -> methodNotAllowed(method, path);
      };
    }
    if ((m = OWNERS.matcher(path)).matches()) {
      if (!method.equals("GET")) {
        return methodNotAllowed(method, path);
      }
      var id = segment(m, 1);
      return id == null || id.isEmpty() ? metadata.owners(query) : metadata.owner(id, query);
    }
    if ((m = PIPELINES.matcher(path)).matches()) {
      return pipelines.route(method, segment(m, 1), segment(m, 2), m.group(3) != null, segment(m, 4), query, body);
    }
    if ((m = V4_DEFAULT.matcher(path)).matches()) {
      return method.equals("PUT") ? metadata.associateDefault(segment(m, 1), segment(m, 2), segment(m, 3), segment(m, 4))
          : methodNotAllowed(method, path);
    }
    if ((m = V4_OBJECT.matcher(path)).matches()) {
      var toId = segment(m, 4);
      return switch (method) {
        case "GET" -> toId == null ? metadata.associationsOf(segment(m, 1), segment(m, 2), segment(m, 3), query)
            : methodNotAllowed(method, path);
        case "PUT" -> toId == null ? methodNotAllowed(method, path)
            : metadata.associateLabelled(segment(m, 1), segment(m, 2), segment(m, 3), toId, body);
        case "DELETE" -> toId == null ? methodNotAllowed(method, path)
            : metadata.dissociateAll(segment(m, 1), segment(m, 2), segment(m, 3), toId);
        default -> methodNotAllowed(method, path);
      };
    }
    if ((m = V4_LABELS.matcher(path)).matches()) {
      return metadata.labels(method, segment(m, 1), segment(m, 2), segment(m, 3), body);
    }
    if ((m = V4_BATCH.matcher(path)).matches()) {
      return method.equals("POST") ? metadata.associationBatch(segment(m, 1), segment(m, 2), m.group(3), body)
          : methodNotAllowed(method, path);
    }
    if ((m = CURRENCIES.matcher(path)).matches()) {
      if (!method.equals("GET")) {
        return methodNotAllowed(method, path);
      }
      return m.group(1).equals("company-currency") ? currencies.companyCurrency(state)
          : currencies.exchangeRates(state, m.group(2) != null, query);
    }
    if ((m = ACCOUNT.matcher(path)).matches()) {
      if (!method.equals("GET")) {
        return methodNotAllowed(method, path);
      }
      return m.group(1).equals("details") ? account.details(state) : account.dailyUsage(state);
    }
    throw new ApiError(404, "OBJECT_NOT_FOUND", "Unable to route " + method + " request with " + path
        + ": no match for path");
  }

  /**
   * A path segment as the client meant it: percent-decoded, with '+' kept as a plus (form
   * decoding's '+' for space belongs to query strings, not paths); null when the segment is absent.
   */
  static String segment(Matcher m, int group) {
    var raw = m.group(group);
    if (raw == null) {
      return null;
    }
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiError.validation("Malformed percent-encoding in path segment '" + raw + "'");
    }
  }

  private static Reply methodNotAllowed(String method, String path) {
    throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by " + path);
  }

  private static JsonNode parse(Request request) {
    var raw = request.getBodyAsString();
    if (raw == null || raw.isBlank()) {
      return NODES.objectNode();
    }
    try {
      return JSON.readTree(raw);
    } catch (IOException e) {
      throw ApiError.validation("Invalid input JSON on line 1: " + e.getMessage());
    }
  }

  static Reply error(ApiError e) {
    var body = NODES.objectNode();
    body.put("status", "error");
    body.put("message", e.getMessage());
    body.put("correlationId", UUID.randomUUID().toString());
    body.put("category", e.category);
    if (!e.errors.isEmpty()) {
      body.set("errors", JSON.valueToTree(e.errors));
    }
    if (!e.context.isEmpty()) {
      body.set("context", JSON.valueToTree(e.context));
    }
    return Reply.json(e.status, body);
  }

  private static Reply serverError(int status) {
    if (status == 502 || status == 504) {
      // gateways answer with their own HTML page, not HubSpot's JSON
      var title = status == 502 ? "502 Bad Gateway" : "504 Gateway Time-out";
      return new Reply(status, "<html><head><title>" + title + "</title></head><body><center><h1>" + title
          + "</h1></center></body></html>", "text/html");
    }
    return error(new ApiError(status, "INTERNAL_ERROR", "internal error"));
  }

  private static Reply rateLimited(String policy) {
    var body = NODES.objectNode();
    body.put("status", "error");
    var window = switch (policy) {
      case "DAILY" -> "daily";
      case "SECONDLY" -> "secondly";
      default -> "ten_secondly_rolling";
    };
    body.put("message", "You have reached your " + window + " limit.");
    body.put("errorType", "RATE_LIMIT");
    body.put("correlationId", UUID.randomUUID().toString());
    body.put("policyName", policy);
    return Reply.json(429, body);
  }

  private static void rateHeaders(ResponseDefinitionBuilder b, RequestBudget.Verdict v, boolean search) {
    if (search) {
      // HubSpot's search endpoints do not send the burst headers
      return;
    }
    b.withHeader("X-HubSpot-RateLimit-Daily", Long.toString(v.daily()));
    b.withHeader("X-HubSpot-RateLimit-Daily-Remaining", Long.toString(v.dailyRemaining()));
    b.withHeader("X-HubSpot-RateLimit-Interval-Milliseconds", Long.toString(v.intervalMillis()));
    b.withHeader("X-HubSpot-RateLimit-Max", Integer.toString(v.max()));
    b.withHeader("X-HubSpot-RateLimit-Remaining", Integer.toString(v.remaining()));
  }

  static Map<String, List<String>> parseQuery(String raw) {
    var out = new LinkedHashMap<String, List<String>>();
    if (raw.isEmpty()) {
      return out;
    }
    for (var pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      var key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      var value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  /** A query parameter that may repeat or hold a comma-separated list. */
  static List<String> listParam(Map<String, List<String>> query, String name) {
    var out = new ArrayList<String>();
    for (var v : query.getOrDefault(name, List.of())) {
      for (var part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  static ObjectNode object() {
    return NODES.objectNode();
  }
}
