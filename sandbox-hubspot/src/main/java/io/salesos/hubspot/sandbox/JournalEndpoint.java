package io.salesos.hubspot.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The webhooks journal API (2026-03): subscription management, the journal read by offset
 * (earliest, latest, offset/{offset}/next) for the local (one portal) and global variants, CRM
 * snapshots, and the entry files their {@code url}s point at.
 */
final class JournalEndpoint {

  static final String VERSION = "2026-03";
  static final Pattern JOURNAL =
      Pattern.compile("^/webhooks-journal/journal(?:-local)?/" + VERSION + "/(earliest|latest|offset/([^/]+)/next)$");
  /** The batch reads: exempt from the standard daily and burst limits (journal guide), so not charged to them. */
  static final Pattern BATCH =
      Pattern.compile("^/webhooks-journal/journal(?:-local)?/" + VERSION + "/batch/(?:(earliest|latest)/([^/]+)|(read))$");
  /** How many entries one batch call reads at most (the 2027-03-beta reference: up to 100; assumed for 2026-03). */
  static final int MAX_BATCH = 100;
  static final Pattern SUBSCRIPTIONS = Pattern.compile("^/webhooks-journal/subscriptions/" + VERSION + "(?:/([^/]+))?$");
  static final String SNAPSHOTS = "/webhooks-journal/snapshots/" + VERSION + "/crm";
  /** Where entry files are served: stands for HubSpot's pre-signed storage URLs, which take no bearer token. */
  static final Pattern FILES = Pattern.compile("^/webhooks-journal-files/([0-9a-f-]{36})\\.json$");
  private static final Set<String> ACTIONS = Set.of("CREATE", "UPDATE", "DELETE", "MERGE", "RESTORE",
      "ASSOCIATION_ADDED", "ASSOCIATION_REMOVED", "SNAPSHOT");

  private final SandboxState state;

  JournalEndpoint(SandboxState state) {
    this.state = state;
  }

  static boolean handles(String path) {
    return path.startsWith("/webhooks-journal/");
  }

  /** {@code baseUrl}: scheme, host and port the request came to, for the entry files' URLs. */
  Reply route(String method, String path, JsonNode body, String baseUrl) {
    var m = JOURNAL.matcher(path);
    if (m.matches()) {
      if (!method.equals("GET")) {
        throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by " + path);
      }
      var now = state.now();
      var j = state.journal;
      Optional<ChangeJournal.Entry> entry = switch (m.group(1)) {
        case "earliest" -> j.earliest(now);
        case "latest" -> j.latest(now);
        default -> j.next(HubSpotApi.segment(m, 2), now);
      };
      return entry.map(e -> fetchResponse(e, baseUrl)).orElseGet(Reply::noContent);
    }
    m = BATCH.matcher(path);
    if (m.matches()) {
      return batch(method, m, body, baseUrl);
    }
    m = SUBSCRIPTIONS.matcher(path);
    if (m.matches()) {
      var id = m.group(1);
      if (id == null) {
        return switch (method) {
          case "GET" -> subscriptions();
          case "POST" -> subscribe(body);
          default -> throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by " + path);
        };
      }
      if (method.equals("DELETE")) {
        long n;
        try {
          n = Long.parseLong(id);
        } catch (NumberFormatException e) {
          throw ApiError.validation("Subscription id must be a number, was '" + id + "'");
        }
        if (!state.journal.unsubscribe(n)) {
          throw new ApiError(404, "OBJECT_NOT_FOUND", "No subscription with id " + id);
        }
        return Reply.noContent();
      }
      throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by " + path);
    }
    if (path.equals(SNAPSHOTS) && method.equals("POST")) {
      return snapshots(body);
    }
    throw new ApiError(404, "OBJECT_NOT_FOUND", "Unable to route " + method + " request with " + path + ": no match for path");
  }

  /**
   * {@code GET batch/earliest/{count}}, {@code GET batch/latest/{count}} (oldest first) and {@code POST
   * batch/read} with {@code inputs} (offsets; one that cannot be read is listed in {@code errors}).
   */
  private Reply batch(String method, java.util.regex.Matcher m, JsonNode body, String baseUrl) {
    var requestedAt = state.now();
    var now = state.now();
    var j = state.journal;
    List<ChangeJournal.Entry> found = new ArrayList<>();
    var errors = HubSpotApi.array();
    if (m.group(3) != null) {
      if (!method.equals("POST")) {
        throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by batch/read");
      }
      var inputs = body.path("inputs");
      if (!inputs.isArray() || inputs.isEmpty() || inputs.size() > MAX_BATCH) {
        throw ApiError.validation("inputs must hold 1 to " + MAX_BATCH + " offsets, was " + (inputs.isArray() ? inputs.size() : 0));
      }
      for (var in : inputs) {
        var e = j.at(in.asText(), now);
        if (e.isPresent()) {
          found.add(e.get());
        } else {
          var err = HubSpotApi.object();
          err.put("status", "error");
          err.put("category", "OBJECT_NOT_FOUND");
          err.put("message", "Offset " + in.asText() + " has expired or does not exist");
          errors.add(err);
        }
      }
    } else {
      if (!method.equals("GET")) {
        throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by batch/" + m.group(1));
      }
      int count;
      try {
        count = Integer.parseInt(m.group(2));
      } catch (NumberFormatException e) {
        throw ApiError.validation("count must be an integer, was '" + m.group(2) + "'");
      }
      if (count < 1 || count > MAX_BATCH) {
        throw ApiError.validation("count must be between 1 and " + MAX_BATCH + ", was " + count);
      }
      found = m.group(1).equals("earliest") ? j.earliest(count, now) : j.latest(count, now);
    }
    var results = HubSpotApi.array();
    found.forEach(e -> results.add(fetchNode(e, baseUrl)));
    var out = HubSpotApi.object();
    out.put("status", "COMPLETE");
    out.set("results", results);
    if (!errors.isEmpty()) {
      out.set("errors", errors);
      out.put("numErrors", errors.size());
    }
    out.put("requestedAt", requestedAt.toString());
    out.put("startedAt", requestedAt.toString());
    out.put("completedAt", state.now().toString());
    return Reply.json(errors.isEmpty() ? 200 : 207, out);
  }

  /** An entry file, as the storage behind {@code url} serves it; 404 once it is gone. */
  Reply file(String offset) {
    var events = state.reading(() -> state.journal.file(offset, state.now()));
    if (events.isEmpty()) {
      return new Reply(404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
          + "<Message>The specified key does not exist.</Message></Error>", "application/xml");
    }
    return Reply.json(200, events.get());
  }

  private Reply fetchResponse(ChangeJournal.Entry e, String baseUrl) {
    return Reply.json(200, fetchNode(e, baseUrl));
  }

  private com.fasterxml.jackson.databind.node.ObjectNode fetchNode(ChangeJournal.Entry e, String baseUrl) {
    var n = HubSpotApi.object();
    n.put("url", baseUrl + "/webhooks-journal-files/" + e.offset() + ".json");
    n.put("expiresAt", state.now().plus(ChangeJournal.FILE_URL_LIFETIME).toString());
    n.put("currentOffset", e.offset());
    return n;
  }

  private Reply subscriptions() {
    var results = HubSpotApi.array();
    state.journal.subscriptions().forEach(s -> results.add(json(s)));
    var out = HubSpotApi.object();
    out.set("results", results);
    return Reply.json(200, out);
  }

  private Reply subscribe(JsonNode body) {
    var type = body.path("subscriptionType").asText("OBJECT");
    if (!type.equals("OBJECT")) {
      throw ApiError.validation("The sandbox journals OBJECT subscriptions only, not " + type);
    }
    var objectTypeId = body.path("objectTypeId").asText("");
    var table = state.table(objectTypeId);
    if (objectTypeId.isEmpty() || table.isEmpty()) {
      throw ApiError.validation("objectTypeId must name an object type (for example 0-3 for deals), was '" + objectTypeId + "'");
    }
    var actions = new LinkedHashSet<String>();
    body.path("actions").forEach(a -> actions.add(a.asText()));
    if (actions.isEmpty()) {
      throw ApiError.validation("actions must hold at least one of " + ACTIONS);
    }
    for (var a : actions) {
      if (!ACTIONS.contains(a)) {
        throw ApiError.validation("Unknown action '" + a + "'; one of " + ACTIONS);
      }
    }
    var properties = new ArrayList<String>();
    body.path("properties").forEach(p -> properties.add(p.asText()));
    var s = state.journal.subscribe(table.get().typeId, actions, properties, state.now());
    return Reply.json(200, json(s));
  }

  private Reply snapshots(JsonNode body) {
    var requests = body.path("snapshotRequests");
    if (!requests.isArray() || requests.isEmpty()) {
      throw ApiError.validation("snapshotRequests must hold at least one request");
    }
    var out = HubSpotApi.array();
    var now = state.now();
    for (var r : requests) {
      var table = state.table(r.path("objectTypeId").asText(""))
          .orElseThrow(() -> ApiError.validation("unknown objectTypeId '" + r.path("objectTypeId").asText("") + "'"));
      long id = r.path("objectId").asLong(-1);
      if (table.get(id).filter(o -> !o.archived()).isEmpty()) {
        throw new ApiError(404, "OBJECT_NOT_FOUND", "No " + table.name + " with id " + id);
      }
      state.journal.snapshot(table.typeId, id, now);
      var n = HubSpotApi.object();
      n.put("objectId", id);
      n.put("objectTypeId", table.typeId);
      n.put("portalId", SandboxState.PORTAL_ID);
      n.put("snapshotStatusId", java.util.UUID.randomUUID().toString());
      out.add(n);
    }
    var answer = HubSpotApi.object();
    answer.set("snapshotResponses", out);
    return Reply.json(200, answer);
  }

  private static JsonNode json(ChangeJournal.Subscription s) {
    var n = HubSpotApi.object();
    var actions = HubSpotApi.array();
    s.actions().stream().sorted().forEach(actions::add);
    n.set("actions", actions);
    n.put("appId", ChangeJournal.APP_ID);
    n.put("createdAt", s.createdAt().toString());
    n.put("id", s.id());
    n.put("objectTypeId", s.objectTypeId());
    n.put("subscriptionType", "OBJECT");
    n.put("updatedAt", s.updatedAt().toString());
    n.put("portalId", SandboxState.PORTAL_ID);
    var props = HubSpotApi.array();
    s.properties().forEach(props::add);
    n.set("properties", props);
    return n;
  }

  static List<String> paths() {
    return List.of(JOURNAL.pattern(), BATCH.pattern(), SUBSCRIPTIONS.pattern(), SNAPSHOTS, FILES.pattern());
  }
}
