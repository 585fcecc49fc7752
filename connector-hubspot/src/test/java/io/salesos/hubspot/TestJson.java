package io.salesos.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Plain HTTP calls to a sandbox, as any HubSpot client would make them. */
final class TestJson {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  record Answer(int status, JsonNode body) {}

  private TestJson() {}

  static JsonNode get(HubSpotSandbox sandbox, String path) throws Exception {
    return send(sandbox, "GET", path, null).body();
  }

  static Answer post(HubSpotSandbox sandbox, String path, Object body) throws Exception {
    return send(sandbox, "POST", path, body);
  }

  private static Answer send(HubSpotSandbox sandbox, String method, String path, Object body) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
        .header("Authorization", "Bearer " + sandbox.token()).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
    var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body()));
  }
}
