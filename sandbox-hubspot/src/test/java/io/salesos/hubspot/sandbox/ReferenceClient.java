package io.salesos.hubspot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of the sandbox as a new integrator writes one, with java.net.http and nothing of
 * salesos: it sends JSON, and checks each answer's status and its shape against the JSON schemas
 * in {@code hubspot-api.schema.json}, written from HubSpot's API reference.
 */
final class ReferenceClient {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode SCHEMAS = load();
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, Schema> COMPILED = new ConcurrentHashMap<>();

  private final HttpClient http = HttpClient.newHttpClient();
  private final HubSpotSandbox sandbox;

  ReferenceClient(HubSpotSandbox sandbox) {
    this.sandbox = sandbox;
  }

  /** A status, the raw answer and its parsed body (an empty object when there is none). */
  record Answer(int status, HttpResponse<String> raw, JsonNode body) {

    /** Asserts the status and that the body is the named reference type; returns the body. */
    JsonNode is(int expectedStatus, String type) {
      assertThat(status).as("status of %s %s, body %s", raw.request().method(), raw.request().uri(), body)
          .isEqualTo(expectedStatus);
      assertConforms(type, body);
      return body;
    }

    /** Asserts a HubSpot error answer with the documented body and the given status and category. */
    JsonNode isError(int expectedStatus, String category) {
      is(expectedStatus, "Error");
      assertThat(body.path("category").asText()).as("category of %s", body).isEqualTo(category);
      assertThat(raw.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
      return body;
    }
  }

  Answer call(String method, String path, Object body) {
    return call(method, path, body, sandbox.token());
  }

  Answer call(String method, String path, Object body, String token) {
    try {
      var b = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r, r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates one record through the API and answers its id. */
  String create(String type, Map<String, ?> properties) {
    return call("POST", "/crm/v3/objects/" + type, Map.of("properties", properties))
        .is(201, "SimplePublicObject").path("id").asText();
  }

  /** The reference type's violations in {@code body}, as readable lines; none when it conforms. */
  static List<String> violations(String type, JsonNode body) {
    var schema = COMPILED.computeIfAbsent(type, t -> {
      if (!SCHEMAS.path("$defs").has(t)) {
        throw new IllegalArgumentException("no reference type " + t + " in hubspot-api.schema.json");
      }
      ObjectNode root = JSON.createObjectNode();
      root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
      root.put("$ref", "#/$defs/" + t);
      root.set("$defs", SCHEMAS.get("$defs"));
      return REGISTRY.getSchema(root);
    });
    return schema.validate(body).stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
  }

  static void assertConforms(String type, JsonNode body) {
    assertThat(violations(type, body)).as("%s answer %s", type, body).isEmpty();
  }

  private static JsonNode load() {
    try (var in = ReferenceClient.class.getResourceAsStream("hubspot-api.schema.json")) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
